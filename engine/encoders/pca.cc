// PCA with Eigen (see pca.h): the covariance as one blocked matrix product
// (the dominant cost: n x dim^2), then a symmetric eigendecomposition.
#include "engine/encoders/pca.h"

#include <Eigen/Dense>
#include <string>

#include "engine/encoders/eigen_types.h"

namespace semhash {
namespace {

using MatrixD = Eigen::MatrixXd;

// Rows are processed in blocks so the centred copy stays small.
constexpr size_t kBlockRows = 4096;

Eigen::VectorXd ColumnMean(size_t n, const float* vectors, size_t dim) {
  Eigen::Map<const RowMatrixF> x(vectors, n, dim);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(dim);
  for (size_t i = 0; i < n; ++i) sum += x.row(i).transpose().cast<double>();
  return sum / static_cast<double>(n);
}

MatrixD Covariance(size_t n, const float* vectors, size_t dim,
                   const Eigen::VectorXf& mean) {
  MatrixD scatter = MatrixD::Zero(dim, dim);
  for (size_t start = 0; start < n; start += kBlockRows) {
    const size_t rows = std::min(kBlockRows, n - start);
    Eigen::Map<const RowMatrixF> block(vectors + start * dim, rows, dim);
    const RowMatrixF centred = block.rowwise() - mean.transpose();
    scatter += (centred.transpose() * centred).cast<double>();
  }
  return scatter / static_cast<double>(n - 1);
}

}  // namespace

Status FitPca(size_t n, const float* vectors, size_t dim, size_t k, Pca* out) {
  if (n < 2 || k == 0 || k > dim) {
    return Status::InvalidArgument("PCA of " + std::to_string(k) +
                                   " components needs at least 2 vectors "
                                   "and at most " +
                                   std::to_string(dim) + " components");
  }
  const Eigen::VectorXf mean = ColumnMean(n, vectors, dim).cast<float>();
  const Eigen::SelfAdjointEigenSolver<MatrixD> solver(
      Covariance(n, vectors, dim, mean));
  if (solver.info() != Eigen::Success) {
    return Status::InvalidArgument("PCA: eigendecomposition did not converge");
  }
  out->dim = dim;
  out->mean.assign(mean.data(), mean.data() + dim);
  out->components.resize(k * dim);
  out->variances.resize(k);
  // Eigen sorts eigenvalues ascending: the top k are the last columns.
  for (size_t j = 0; j < k; ++j) {
    const size_t column = dim - 1 - j;
    Eigen::VectorXd v = solver.eigenvectors().col(column);
    Eigen::Index largest;
    v.cwiseAbs().maxCoeff(&largest);
    if (v(largest) < 0) v = -v;
    out->variances[j] = std::max(0.0, solver.eigenvalues()(column));
    for (size_t d = 0; d < dim; ++d) {
      out->components[j * dim + d] = static_cast<float>(v(d));
    }
  }
  return Status::OK();
}

void ProjectPca(const Pca& pca, size_t n, const float* vectors, float* out) {
  const size_t k = pca.k();
  Eigen::Map<const RowMatrixF> components(pca.components.data(), k, pca.dim);
  Eigen::Map<const Eigen::VectorXf> mean(pca.mean.data(), pca.dim);
  for (size_t start = 0; start < n; start += kBlockRows) {
    const size_t rows = std::min(kBlockRows, n - start);
    Eigen::Map<const RowMatrixF> block(vectors + start * pca.dim, rows,
                                       pca.dim);
    Eigen::Map<RowMatrixF> projected(out + start * k, rows, k);
    projected.noalias() =
        (block.rowwise() - mean.transpose()) * components.transpose();
  }
}

}  // namespace semhash
