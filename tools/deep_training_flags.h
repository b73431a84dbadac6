// DeepTrainingFlags: the command-line flags of the deep encoders' training
// (autoencoder, ssdh), shared by `train` and `build`, and the labels file
// ssdh trains on.
#ifndef SEMHASH_TOOLS_DEEP_TRAINING_FLAGS_H_
#define SEMHASH_TOOLS_DEEP_TRAINING_FLAGS_H_

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "semhash/encoder_training.h"
#include "semhash/status.h"
#include "tools/io/vector_file.h"

namespace semhash::cli {

struct DeepTrainingFlags {
  std::optional<std::string> labels, hidden, image_shape;
  std::optional<uint32_t> epochs, patience, batch, threads;
  std::optional<float> holdout, learning_rate, weight_decay, alpha, beta, gamma;

  // --labels, --hidden, --image-shape, --epochs, --patience, --holdout,
  // --batch, --lr, --weight-decay, --alpha, --beta, --gamma, --threads.
  void AddTo(boost::program_options::options_description* options);
  void Read(const boost::program_options::variables_map& vm);
  // Whether any flag but --labels and --threads (which are not part of a
  // model's identity) was given.
  bool any_training_option() const;

  // Sets options->deep from the flags given. ssdh on IDX images gets their
  // shape (1 x height x width) unless --image-shape says otherwise ("none":
  // treat them as vectors). InvalidArgument naming a malformed flag.
  Status ApplyTo(const io::Vectors& input, EncoderOptions* options) const;

  // The labels of the first `rows` vectors from --labels: InvalidArgument if
  // ssdh has none, or the file has fewer than `rows`. Empty for other kinds.
  Status ReadLabels(const std::string& kind, size_t rows,
                    std::vector<uint32_t>* labels) const;
};

}  // namespace semhash::cli

#endif  // SEMHASH_TOOLS_DEEP_TRAINING_FLAGS_H_
