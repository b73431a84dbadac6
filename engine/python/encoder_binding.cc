// The Encoder class of the Python module, train_encoder and load_encoder
// (semhash/encoder.h, semhash/encoder_training.h).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/python/arrays.h"
#include "engine/python/bindings.h"
#include "engine/python/callbacks.h"
#include "engine/python/errors.h"
#include "semhash/encoder.h"
#include "semhash/encoder_training.h"

namespace py = pybind11;
using namespace pybind11::literals;

namespace semhash::python {
namespace {

// Runs work() -> Status without the GIL, then raises its error.
template <typename Work>
void Unlocked(Work work) {
  Status s;
  {
    py::gil_scoped_release release;
    s = work();
  }
  ThrowIfError(s);
}

py::tuple Encode(const Encoder& encoder, py::handle vectors) {
  std::vector<float> converted;
  size_t dim = 0;
  const ArrayView<float> in =
      CheckVectors(vectors, "vectors", &dim, &converted);
  py::array_t<uint32_t> addresses(in.n);
  py::array_t<uint8_t> codes({in.n, size_t(encoder.code_bits() / 8)});
  Address* a = addresses.mutable_data();
  uint8_t* c = codes.mutable_data();
  Unlocked([&] { return encoder.Encode(in.n, in.data, dim, a, c); });
  return py::make_tuple(addresses, codes);
}

py::tuple Classify(const Encoder& encoder, py::handle vectors) {
  std::vector<float> converted;
  size_t dim = 0;
  const ArrayView<float> in =
      CheckVectors(vectors, "vectors", &dim, &converted);
  py::array_t<uint32_t> classes(in.n);
  py::array_t<float> probabilities(in.n);
  uint32_t* c = classes.mutable_data();
  float* p = probabilities.mutable_data();
  Unlocked([&] { return encoder.Classify(in.n, in.data, dim, c, p); });
  return py::make_tuple(classes, probabilities);
}

std::shared_ptr<Encoder> LoadBytes(const py::bytes& bytes) {
  const std::string model = bytes;
  std::unique_ptr<Encoder> encoder;
  Unlocked([&] { return Encoder::Load(model, &encoder); });
  return std::shared_ptr<Encoder>(std::move(encoder));
}

std::shared_ptr<Encoder> LoadFile(const std::string& path) {
  std::unique_ptr<Encoder> encoder;
  Unlocked([&] { return LoadEncoderFile(path, &encoder); });
  return std::shared_ptr<Encoder>(std::move(encoder));
}

std::shared_ptr<Encoder> Train(
    py::handle vectors, const std::string& kind, py::handle labels_obj,
    uint32_t address_bits, uint32_t code_bits, uint64_t seed, size_t sample,
    uint32_t iterations, py::object progress,
    std::optional<std::vector<uint32_t>> hidden,
    std::optional<std::tuple<uint32_t, uint32_t, uint32_t>> image_shape,
    uint32_t epochs, uint32_t patience, float holdout, uint32_t batch_size,
    float learning_rate, float weight_decay, float alpha, float beta,
    float gamma, uint32_t threads, const std::string& model, float threshold) {
  std::vector<float> converted;
  size_t dim = 0;
  const ArrayView<float> in =
      CheckVectors(vectors, "vectors", &dim, &converted);
  std::vector<uint32_t> labels;
  if (!labels_obj.is_none()) labels = CheckLabels(labels_obj, "labels", in.n);
  PythonCallback callback(progress);
  EncoderOptions options;
  options.kind = kind;
  options.address_bits = address_bits;
  options.code_bits = code_bits;
  options.seed = seed;
  options.training_sample = sample;
  options.itq_iterations = iterations;
  options.itq_progress = callback.Rounds();
  DeepTrainingOptions& deep = options.deep;
  if (hidden.has_value()) deep.hidden = *hidden;
  if (image_shape.has_value()) {
    std::tie(deep.image_channels, deep.image_height, deep.image_width) =
        *image_shape;
  }
  deep.max_epochs = epochs;
  deep.patience = patience;
  deep.holdout = holdout;
  deep.batch_size = batch_size;
  deep.learning_rate = learning_rate;
  deep.weight_decay = weight_decay;
  deep.alpha = alpha;
  deep.beta = beta;
  deep.gamma = gamma;
  deep.threads = threads;
  deep.progress = callback.Training();
  options.torchscript_path = model;
  options.torchscript_threshold = threshold;
  std::unique_ptr<Encoder> encoder;
  Status s;
  {
    py::gil_scoped_release release;
    s = labels.empty() ? TrainEncoder(options, in.n, in.data, dim, &encoder)
                       : TrainEncoder(options, in.n, in.data, dim,
                                      labels.data(), &encoder);
  }
  callback.Rethrow();
  ThrowIfError(s);
  return std::shared_ptr<Encoder>(std::move(encoder));
}

}  // namespace

void BindEncoder(py::module_& m) {
  py::class_<Encoder, std::shared_ptr<Encoder>>(m, "Encoder", R"doc(
A trained model that turns feature vectors into (address, code) pairs
(semhash/encoder.h). Made by train_encoder, load_encoder or Encoder.load;
give it to DB(..., create_if_missing=True, encoder=...) to create a
database that keeps it. Immutable; encode may run in many threads at once.)doc")
      .def_property_readonly("kind", &Encoder::kind,
                             "'lsh', 'pcah', 'itq', 'sh', 'autoencoder', "
                             "'ssdh' or 'torchscript'.")
      .def_property_readonly("params", &Encoder::params,
                             "Training parameters, 'key=value,...'.")
      .def_property_readonly("input_dim", &Encoder::input_dim)
      .def_property_readonly("address_bits", &Encoder::address_bits)
      .def_property_readonly("code_bits", &Encoder::code_bits)
      .def_property_readonly("class_count", &Encoder::class_count,
                             "ssdh's classes; 0 for other kinds.")
      .def("encode", &Encode, "vectors"_a, R"doc(
Encodes float32 (used in place) or float64 (converted) vectors, shape
(n, input_dim), C-contiguous. Returns (addresses uint32 (n,), codes uint8
(n, code_bits / 8)).)doc")
      .def("classify", &Classify, "vectors"_a,
           "ssdh only: (classes uint32 (n,), probabilities float32 (n,)); "
           "NotSupported for other kinds.")
      .def(
          "serialize",
          [](const Encoder& e) {
            std::string model;
            Unlocked([&] {
              model = e.Serialize();
              return Status::OK();
            });
            return py::bytes(model);
          },
          "The persisted model (bytes); Encoder.load reads it back.")
      .def_static("load", &LoadBytes, "model"_a,
                  "Reads bytes from serialize(); Corruption if damaged.")
      .def(
          "save",
          [](const Encoder& e, const std::string& path) {
            Unlocked([&] { return SaveEncoder(e, path); });
          },
          "path"_a,
          "Writes the model file atomically (what `semhash train --out` "
          "writes; load_encoder reads it).")
      .def("__repr__", [](const Encoder& e) {
        return "Encoder(" + e.kind() + "(" + e.params() + "), " +
               std::to_string(e.input_dim()) + " -> " +
               std::to_string(e.address_bits()) + "-bit addresses, " +
               std::to_string(e.code_bits()) + "-bit codes)";
      });
  m.def("load_encoder", &LoadFile, "path"_a,
        "Reads a model file (Encoder.save, `semhash train --out`): IOError "
        "if unreadable, Corruption if damaged, NotSupported for an unknown "
        "kind.");
  m.def("train_encoder", &Train, "vectors"_a, "kind"_a = "itq", py::kw_only(),
        "labels"_a = py::none(), "address_bits"_a = 30, "code_bits"_a = 256,
        "seed"_a = 42, "sample"_a = 0, "iterations"_a = 50,
        "progress"_a = py::none(), "hidden"_a = py::none(),
        "image_shape"_a = py::none(), "epochs"_a = 30, "patience"_a = 3,
        "holdout"_a = 0.1f, "batch_size"_a = 128, "learning_rate"_a = 1e-3f,
        "weight_decay"_a = 1e-5f, "alpha"_a = 1.0f, "beta"_a = 1.0f,
        "gamma"_a = 1.0f, "threads"_a = 0, "model"_a = "", "threshold"_a = 0.0f,
        R"doc(
Trains an encoder on float32/float64 vectors (n, dim), as `semhash train`
does (semhash/encoder_training.h). kind: 'lsh', 'pcah', 'itq' (default),
'sh'; 'autoencoder' and 'ssdh' (labels: integers (n,)) need a semhash built
with LibTorch (NotSupported otherwise); 'torchscript' stores the
TorchScript file `model` (bit j is 1 iff output j >= threshold).
address_bits 1..32 (a database needs 8..32); code_bits a multiple of 64 in
64..1024 (pcah, itq: at most dim). seed: deterministic training. sample:
train on this many vectors drawn at random, 0 = all. iterations: itq's
rounds. Deep kinds: hidden (layer widths), image_shape (channels, height,
width) for ssdh's CNN, epochs, patience (early stop on a holdout fraction),
batch_size, learning_rate, weight_decay, alpha/beta/gamma (ssdh's loss),
threads (0 = every core). progress: progress(done, total) after each of
itq's rounds; progress(dict) per batch of a deep kind, with the fields of
TrainingProgress. The GIL is released while training.)doc");
}

}  // namespace semhash::python
