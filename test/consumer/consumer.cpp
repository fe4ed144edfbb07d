// A program that uses psample-cpp the way a consumer does: builds a sample
// message with the public request builder, decodes it, and prints it.
#include <psample/psample.hpp>

#include <cstdio>

int main() {
  uint8_t buffer[128];
  psample::netlink::RequestBuilder b(psample::MutableByteView(buffer, sizeof buffer));
  b.begin(0x1c, 0, 0);
  b.put_genl_header(static_cast<uint8_t>(psample::Command::sample), 1);
  b.put_u32(psample::attr::sample_group, 7);
  b.put_u32(psample::attr::group_seq, 3);
  const uint8_t data[4] = {1, 2, 3, 4};
  b.put_bytes(psample::attr::data, psample::ByteView(data, sizeof data));
  auto message = b.finish();
  if (!message) return 1;
  auto p = psample::decode(*message);
  if (!p) {
    std::fprintf(stderr, "decode: %s\n", p.error().message());
    return 1;
  }
  std::printf("psample-cpp %s: group %u seq %u data %zu bytes\n", PSAMPLE_CPP_VERSION, p->group(), p->group_seq(),
              p->data().size());
  return 0;
}
