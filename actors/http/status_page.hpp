#pragma once
// The live status page served at / : one self-contained HTML document (no
// external assets, works offline) that fetches /status every second and
// draws the workers with what each runs now, the queue and counts, and a
// timeline of the attempts so far. A token given as #token=... in the page's
// address is sent as the bearer token (fragments never reach the server).
#include <string_view>

namespace dtf {

std::string_view status_page_html();

} // namespace dtf
