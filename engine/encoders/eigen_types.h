// Row-major Eigen matrix types, the layout of the float buffers the engine
// reads and writes (n vectors of dim values, one after another), so that an
// Eigen::Map over such a buffer needs no copy (internal).
#ifndef SEMHASH_ENGINE_ENCODERS_EIGEN_TYPES_H_
#define SEMHASH_ENGINE_ENCODERS_EIGEN_TYPES_H_

#include <Eigen/Core>

namespace semhash {

using RowMatrixF =
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrixD =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_EIGEN_TYPES_H_
