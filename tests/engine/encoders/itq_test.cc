// Tests for iterative quantisation (engine/encoders/itq.cc): the loss never
// rises, ends below the random start's, the rotation stays orthogonal and
// deterministic, and the iterations agree with a plain double-precision
// reference.
#include "engine/encoders/itq.h"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "tests/engine/encoder_test_util.h"

namespace semhash {
namespace {

using testing::AnisotropicGaussian;
using testing::Gaussian;
using RowMatrixD =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// More rows than one parallel chunk holds (4096), so several are summed.
constexpr size_t kRows = 10000;
constexpr size_t kBits = 16;

RowMatrixD ToMatrix(const std::vector<float>& x, size_t rows, size_t cols) {
  return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic,
                                        Eigen::RowMajor>>(x.data(), rows, cols)
      .cast<double>();
}

RowMatrixD GaussianMatrix(size_t rows, size_t cols, uint64_t seed) {
  return ToMatrix(Gaussian(rows, cols, seed), rows, cols);
}

RowMatrixD RotationOf(const ItqRotation& itq) {
  return Eigen::Map<const RowMatrixD>(itq.rotation.data(), itq.bits, itq.bits);
}

// ||sign(V R) - V R||_F^2 in double.
double Loss(const RowMatrixD& v, const RowMatrixD& rotation) {
  const RowMatrixD z = v * rotation;
  const RowMatrixD b =
      z.unaryExpr([](double x) { return x >= 0 ? 1.0 : -1.0; });
  return (b - z).squaredNorm();
}

// Textbook ITQ in double from `rotation`: returns the rotation after
// `iterations` rounds and appends each round's loss to *losses.
RowMatrixD ReferenceItq(const RowMatrixD& v, RowMatrixD rotation,
                        uint32_t iterations, std::vector<double>* losses) {
  for (uint32_t t = 0; t < iterations; ++t) {
    const RowMatrixD b =
        (v * rotation).unaryExpr([](double x) { return x >= 0 ? 1.0 : -1.0; });
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(
        b.transpose() * v, Eigen::ComputeFullU | Eigen::ComputeFullV);
    rotation = svd.matrixV() * svd.matrixU().transpose();
    losses->push_back(Loss(v, rotation));
  }
  return rotation;
}

TEST(Itq, LossNeverIncreases) {
  const std::vector<float> v = AnisotropicGaussian(kRows, kBits, 1);
  const ItqRotation itq = FitItqRotation(kRows, kBits, v.data(), 42, 3, 50);
  ASSERT_EQ(itq.losses.size(), 51u);
  for (size_t t = 1; t < itq.losses.size(); ++t) {
    EXPECT_LE(itq.losses[t], itq.losses[t - 1] * (1 + 1e-9))
        << "iteration " << t;
  }
}

TEST(Itq, EndsBelowTheRandomRotationsLoss) {
  const std::vector<float> v = AnisotropicGaussian(kRows, kBits, 2);
  const ItqRotation itq = FitItqRotation(kRows, kBits, v.data(), 7, 3, 50);
  EXPECT_LT(itq.losses.back(), 0.99 * itq.losses.front());
}

TEST(Itq, RotationIsOrthogonal) {
  const std::vector<float> v = Gaussian(kRows, kBits, 3);
  for (const uint32_t iterations : {0u, 1u, 20u}) {
    const RowMatrixD r =
        RotationOf(FitItqRotation(kRows, kBits, v.data(), 1, 3, iterations));
    EXPECT_LT((r * r.transpose() - RowMatrixD::Identity(kBits, kBits))
                  .cwiseAbs()
                  .maxCoeff(),
              1e-12)
        << iterations << " iterations";
  }
}

TEST(Itq, SameSeedAndStreamGiveTheSameRotation) {
  const std::vector<float> v = AnisotropicGaussian(kRows, kBits, 4);
  const ItqRotation first = FitItqRotation(kRows, kBits, v.data(), 5, 3, 10);
  const ItqRotation again = FitItqRotation(kRows, kBits, v.data(), 5, 3, 10);
  EXPECT_EQ(first.rotation, again.rotation);
  EXPECT_EQ(first.losses, again.losses);
  EXPECT_NE(FitItqRotation(kRows, kBits, v.data(), 6, 3, 10).rotation,
            first.rotation);
  EXPECT_NE(FitItqRotation(kRows, kBits, v.data(), 5, 4, 10).rotation,
            first.rotation);
}

TEST(Itq, MatchesADoublePrecisionReference) {
  const std::vector<float> v = AnisotropicGaussian(kRows, kBits, 5);
  const RowMatrixD v_double = ToMatrix(v, kRows, kBits);
  const ItqRotation start = FitItqRotation(kRows, kBits, v.data(), 9, 3, 0);
  const ItqRotation itq = FitItqRotation(kRows, kBits, v.data(), 9, 3, 5);
  std::vector<double> losses = {Loss(v_double, RotationOf(start))};
  const RowMatrixD reference =
      ReferenceItq(v_double, RotationOf(start), 5, &losses);
  EXPECT_LT((RotationOf(itq) - reference).cwiseAbs().maxCoeff(), 1e-4);
  ASSERT_EQ(itq.losses.size(), losses.size());
  for (size_t t = 0; t < losses.size(); ++t) {
    EXPECT_NEAR(itq.losses[t], losses[t], 1e-5 * losses[t]) << t;
  }
}

TEST(Itq, RecoversARotatedSquare) {
  // Sign patterns times a random rotation: rotating back to the square's
  // vertices gives loss 0. (In more dimensions the loss has local minima
  // that ITQ, like k-means, may stop in.)
  constexpr size_t kSquareBits = 2;
  const RowMatrixD signs =
      GaussianMatrix(kRows, kSquareBits, 6).unaryExpr([](double x) {
        return x >= 0 ? 1.0 : -1.0;
      });
  for (const uint64_t seed : {1, 2, 3, 4, 5}) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(
        GaussianMatrix(kSquareBits, kSquareBits, 10 + seed));
    const RowMatrixD square = signs * qr.householderQ();
    const std::vector<float> v(square.data(), square.data() + square.size());
    const ItqRotation itq =
        FitItqRotation(kRows, kSquareBits, v.data(), seed, 3, 10);
    EXPECT_GT(itq.losses.front(), 0.01 * kRows) << "seed " << seed;
    EXPECT_LT(itq.losses.back(), 1e-6 * kRows) << "seed " << seed;
  }
}

}  // namespace
}  // namespace semhash
