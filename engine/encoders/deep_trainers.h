// The trainers of the deep encoders (internal), called by TrainEncoder
// (semhash/encoder.h) after it has checked the input: LibTorch
// implementations in torch_*.cc when semhash is built with LibTorch
// (SEMHASH_HAVE_TORCH), compiled into the module libsemhash_torch.so that
// torch_module_loader.cc loads on first use (torch_module.h says why);
// otherwise deep_trainers_without_torch.cc, whose functions return
// NotSupported naming what is missing.
//
// Each returns an Encoder whose stored networks (deep_encoder.h) encode
// with semhash's own inference path; InvalidArgument for options that do
// not fit the input (e.g. an image shape that is not `dim`).
#ifndef SEMHASH_ENGINE_ENCODERS_DEEP_TRAINERS_H_
#define SEMHASH_ENGINE_ENCODERS_DEEP_TRAINERS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "semhash/encoder_training.h"

namespace semhash {

// Whether this semhash can train deep encoders and run TorchScript.
bool HaveTorch();

// kind "autoencoder": two autoencoders, one for the address and one for the
// long code, on `n` vectors of `dim` floats.
Status TrainAutoencoderEncoder(const EncoderOptions& options, size_t n,
                               const float* vectors, size_t dim,
                               std::unique_ptr<Encoder>* out);

// kind "ssdh": one network with two latent layers (address and code), each
// with its classifier, trained jointly; labels[n] in 0..65535.
Status TrainSsdhEncoder(const EncoderOptions& options, size_t n,
                        const float* vectors, size_t dim,
                        const uint32_t* labels, std::unique_ptr<Encoder>* out);

// kind "torchscript": reads options.torchscript_path and checks it on the
// first vectors (it must run and give address_bits + code_bits outputs).
Status MakeTorchScriptEncoder(const EncoderOptions& options, size_t n,
                              const float* vectors, size_t dim,
                              std::unique_ptr<Encoder>* out);

}  // namespace semhash

#endif  // SEMHASH_ENGINE_ENCODERS_DEEP_TRAINERS_H_
