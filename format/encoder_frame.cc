// Encoder-model frame codec (see encoder_frame.h).
#include "format/encoder_frame.h"

#include "format/frame.h"

namespace semhash::format {

std::string EncodeEncoderFrame(std::string_view model) {
  std::string framed;
  AppendFrame(RecordKind::kEncoderModel, kEncoderFrameVersion, model, &framed);
  return framed;
}

Status DecodeEncoderFrame(std::string_view framed, std::string_view* model) {
  return DecodeFrameOfVersion(RecordKind::kEncoderModel, kEncoderFrameVersion,
                              "encoder model", framed, model);
}

}  // namespace semhash::format
