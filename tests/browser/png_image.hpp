#pragma once
// Reads a PNG file (8-bit RGB or RGBA, not interlaced: what Chromium's
// screenshots are) with zlib, for tests that check a screenshot shows
// something: its size, its distinct colours, how much of it differs from the
// background (the top-left pixel).
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace dtf::testing {

struct png_summary {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::size_t distinct_colours = 0;
  double non_background_fraction = 0.0;  // pixels unlike the top-left one
};

inline std::uint32_t big_endian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// Throws std::runtime_error for anything else than an 8-bit RGB(A) PNG.
inline png_summary read_png_summary(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  const std::vector<unsigned char> data{std::istreambuf_iterator<char>{in}, {}};
  static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (data.size() < 8 || !std::equal(signature, signature + 8, data.begin())) throw std::runtime_error("not a PNG: " + path);
  png_summary s;
  int colour_type = -1, bit_depth = 0, interlace = 0;
  std::vector<unsigned char> compressed;
  for (std::size_t pos = 8; pos + 12 <= data.size();) {
    const auto length = big_endian32(&data[pos]);
    const std::string type(reinterpret_cast<const char*>(&data[pos + 4]), 4);
    if (pos + 12 + length > data.size()) throw std::runtime_error("truncated PNG chunk " + type);
    const unsigned char* body = &data[pos + 8];
    if (type == "IHDR") {
      s.width = big_endian32(body);
      s.height = big_endian32(body + 4);
      bit_depth = body[8];
      colour_type = body[9];
      interlace = body[12];
    } else if (type == "IDAT") {
      compressed.insert(compressed.end(), body, body + length);
    } else if (type == "IEND") {
      break;
    }
    pos += 12 + length;
  }
  if (bit_depth != 8 || (colour_type != 2 && colour_type != 6) || interlace != 0)
    throw std::runtime_error("unsupported PNG (bit depth " + std::to_string(bit_depth) + ", colour type " +
                             std::to_string(colour_type) + ", interlace " + std::to_string(interlace) + ")");
  const std::size_t bpp = colour_type == 6 ? 4 : 3;
  const std::size_t stride = std::size_t{s.width} * bpp;
  std::vector<unsigned char> raw((stride + 1) * s.height);
  uLongf raw_size = raw.size();
  if (::uncompress(raw.data(), &raw_size, compressed.data(), compressed.size()) != Z_OK || raw_size != raw.size())
    throw std::runtime_error("cannot inflate the PNG's image data");
  std::vector<unsigned char> pixels(stride * s.height), previous(stride, 0);
  for (std::uint32_t y = 0; y < s.height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* line = &raw[y * (stride + 1) + 1];
    unsigned char* out = &pixels[y * stride];
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? out[x - bpp] : 0;
      const int b = previous[x];
      const int c = x >= bpp ? previous[x - bpp] : 0;
      int v = line[x];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw std::runtime_error("bad PNG filter " + std::to_string(filter));
      }
      out[x] = static_cast<unsigned char>(v);
    }
    std::copy(out, out + stride, previous.begin());
  }
  std::unordered_set<std::uint32_t> colours;
  auto colour_at = [&](std::size_t i) {
    return (std::uint32_t{pixels[i]} << 16) | (std::uint32_t{pixels[i + 1]} << 8) | pixels[i + 2];
  };
  const auto background = colour_at(0);
  std::size_t different = 0;
  for (std::size_t i = 0; i + bpp <= pixels.size(); i += bpp) {
    const auto colour = colour_at(i);
    colours.insert(colour);
    if (colour != background) ++different;
  }
  s.distinct_colours = colours.size();
  const auto total = std::size_t{s.width} * s.height;
  s.non_background_fraction = total ? static_cast<double>(different) / static_cast<double>(total) : 0.0;
  return s;
}

} // namespace dtf::testing
