#pragma once
// Internal to the trace reader: what one event of the file means.
#include "traceraw.h"

#include <cstdint>
#include <string>

namespace il::trace {

struct EventInput {
    const Json *json = nullptr; // the event object
    std::string tsText;         // the literal text of a fractional "ts" / "dur", if any
    std::string durText;
    std::uint64_t index = 0;
};

// Adds the event to `raw`. False with `why` (what was expected) if it is malformed.
bool add_event(RawTrace &raw, const EventInput &ev, std::string &why);

// A time in microseconds (a JSON number; `text` its literal if fractional) in ns, exactly
// for plain decimals. False with `why` if it is not a finite number within ±maxAbsMicros.
bool micros_to_ns(const Json &v, const std::string &text, const char *field, double maxAbsMicros,
                  std::int64_t &ns, std::string &why);

// A limit in microseconds as messages show it ("4e+15").
std::string micros_text(double micros);

} // namespace il::trace
