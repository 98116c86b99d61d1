#pragma once
#include "timeline.h"

#include <ostream>
#include <string>
#include <string_view>

namespace il {

// The segments as a table, one row each in lane order:
//   lane,state,resource,start_us,end_us
// Times are microseconds since the run began, with three decimals (exact nanoseconds).
// Fields are quoted as RFC 4180 says: those holding a comma, a quote, a line break or
// leading/trailing blanks go in double quotes, inner quotes doubled.
// False if the stream failed.
bool write_csv(std::ostream &out, const Timeline &timeline);

std::string csv_field(std::string_view text);

} // namespace il
