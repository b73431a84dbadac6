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
  FrameView frame;
  Status s = DecodeFrame(RecordKind::kEncoderModel, framed, &frame);
  if (!s.ok()) return s.WithContext("encoder model");
  if (frame.version != kEncoderFrameVersion) {
    return Status::Corruption("encoder model: unknown frame version " +
                              std::to_string(frame.version));
  }
  *model = frame.payload;
  return Status::OK();
}

}  // namespace semhash::format
