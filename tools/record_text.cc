// Showing a stored image (see record_text.h).
#include "tools/record_text.h"

#include <iostream>

#include "tools/json_writer.h"

namespace semhash::cli {
namespace {

// The length of the UTF-8 sequence that starts at text[i] (1..4), or 0 if
// none does: overlong forms, surrogates and code points past U+10FFFF are
// not UTF-8 (RFC 3629).
size_t Utf8Length(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) {
    return static_cast<unsigned char>(text[i + k]);
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // Range of the second byte.
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (i + length > text.size() || byte(1) < low || byte(1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  }
  return length;
}

}  // namespace

std::string Hex(CodeView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const uint8_t byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 15];
  }
  return hex;
}

std::string Binary(Address address, uint32_t address_bits) {
  std::string bits;
  for (uint32_t bit = 0; bit < address_bits; ++bit) {
    bits += ((address >> (address_bits - 1 - bit)) & 1) ? '1' : '0';
  }
  return bits;
}

std::string_view PayloadEncoding(std::string_view payload) {
  return PayloadIsText(payload) ? "utf-8" : "hex";
}

std::string PayloadShown(std::string_view payload) {
  if (PayloadIsText(payload)) return std::string(payload);
  return Hex(CodeView(reinterpret_cast<const uint8_t*>(payload.data()),
                      payload.size()));
}

bool PayloadIsText(std::string_view payload) {
  for (size_t i = 0; i < payload.size();) {
    const unsigned char c = static_cast<unsigned char>(payload[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return false;
    }
    const size_t length = Utf8Length(payload, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void PrintRecord(uint64_t id, const Record& record, uint32_t address_bits,
                 bool json) {
  const std::string binary = Binary(record.address, address_bits);
  if (json) {
    JsonWriter out;
    out.BeginObject().Key("id").Uint(id);
    out.Key("address").Uint(record.address);
    out.Key("address_binary").String(binary);
    out.Key("code").String(Hex(record.code));
    out.Key("payload_bytes").Uint(record.payload.size());
    out.Key("payload_encoding").String(PayloadEncoding(record.payload));
    out.Key("payload").String(PayloadShown(record.payload)).EndObject();
    std::cout << out.str() << "\n";
    return;
  }
  std::cout << "id " << id << "\n  address " << record.address << " (" << binary
            << ")\n  code " << Hex(record.code) << "\n  payload "
            << record.payload.size() << " bytes";
  if (!record.payload.empty()) {
    std::cout << " (" << PayloadEncoding(record.payload)
              << "): " << PayloadShown(record.payload);
  }
  std::cout << "\n";
}

}  // namespace semhash::cli
