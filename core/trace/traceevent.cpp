#include "traceevent.h"

#include "tracereader.h"

#include <cmath>
#include <cstdio>

namespace il::trace {
namespace {

const Json *field(const Json &ev, const char *key)
{
    const auto it = ev.find(key);
    return it == ev.end() ? nullptr : &*it;
}

const std::string *string_field(const Json *obj, const char *key)
{
    if (!obj || !obj->is_object())
        return nullptr;
    const Json *v = field(*obj, key);
    return v && v->is_string() ? &v->get_ref<const std::string &>() : nullptr;
}

// pid and tid: numbers or strings (cut to `maxBytes`); absent is 0.
bool id_text(const Json &ev, const char *key, std::size_t maxBytes, std::string &out,
             std::string &why)
{
    const Json *v = field(ev, key);
    if (!v) {
        out = "0";
        return true;
    }
    if (v->is_number_unsigned()) {
        out = std::to_string(v->get<std::uint64_t>());
        return true;
    }
    if (v->is_number_integer()) {
        out = std::to_string(v->get<std::int64_t>());
        return true;
    }
    if (v->is_string()) {
        out = cut_name(v->get_ref<const std::string &>(), maxBytes);
        return true;
    }
    why =
        std::string("\"") + key + "\" must be a whole number or a string, found " + v->type_name();
    return false;
}

bool thread_of(RawTrace &raw, const Json &ev, std::uint32_t &index, std::string &why)
{
    std::string pid, tid;
    const std::size_t maxName = raw.limits.maxNameBytes;
    if (!id_text(ev, "pid", maxName, pid, why) || !id_text(ev, "tid", maxName, tid, why))
        return false;
    std::string key = pid + '\x1f' + tid;
    const auto it = raw.threadIndex.find(key);
    if (it != raw.threadIndex.end()) {
        index = it->second;
        return true;
    }
    if (raw.threads.size() >= raw.limits.maxThreads) {
        why = "more than " + std::to_string(raw.limits.maxThreads) + " threads";
        return false;
    }
    index = std::uint32_t(raw.threads.size());
    raw.threads.push_back(RawThread{pid, tid, {}, {}, {}, {}, {}, {}});
    raw.threadIndex.emplace(std::move(key), index);
    return true;
}

std::uint32_t label_of(RawTrace &raw, const std::string &text)
{
    std::string name = cut_name(text, raw.limits.maxNameBytes);
    const auto it = raw.labelIndex.find(name);
    if (it != raw.labelIndex.end())
        return it->second;
    if (raw.labels.size() >= raw.limits.maxLabels)
        name = "(other)"; // one shared label past the limit
    const auto again = raw.labelIndex.find(name);
    if (again != raw.labelIndex.end())
        return again->second;
    const auto id = std::uint32_t(raw.labels.size());
    raw.labels.push_back(name);
    raw.labelIndex.emplace(std::move(name), id);
    return id;
}

bool time_of(const RawTrace &raw, const EventInput &ev, const char *key, const std::string &text,
             std::int64_t &ns, std::string &why)
{
    const Json *v = field(*ev.json, key);
    if (!v) {
        why = std::string("missing \"") + key + "\" (microseconds)";
        return false;
    }
    return micros_to_ns(*v, text, key, raw.limits.maxAbsMicros, ns, why);
}

void seen(RawTrace &raw, std::int64_t t)
{
    raw.minNs = std::min(raw.minNs, t);
    raw.maxNs = std::max(raw.maxNs, t);
}

// The state and label of a slice: args.state names one of ours, else Running; the label
// is args.resource, else the event's name.
void slice_look(RawTrace &raw, const Json &ev, RawSlice &s)
{
    const Json *args = field(ev, "args");
    s.state = State::Running;
    if (const std::string *st = string_field(args, "state"))
        for (std::size_t i = 0; i < std::size_t(State::Count); ++i)
            if (*st == state_name(State(i)))
                s.state = State(i);
    const std::string *res = string_field(args, "resource");
    if (!res)
        res = string_field(&ev, "name");
    s.label = res ? label_of(raw, *res) : 0;
}

bool metadata_event(RawTrace &raw, const Json &ev, std::string &why)
{
    const std::string *name = string_field(&ev, "name");
    if (!name)
        return true;
    const Json *args = field(ev, "args");
    if (*name == "process_name") {
        std::string pid;
        if (!id_text(ev, "pid", raw.limits.maxNameBytes, pid, why))
            return false;
        const std::string *n = string_field(args, "name");
        if (n && (raw.processNames.size() < raw.limits.maxProcesses || raw.processNames.count(pid)))
            raw.processNames[pid] = cut_name(*n, raw.limits.maxNameBytes);
        return true;
    }
    if (*name != "thread_name" && *name != "thread_sort_index")
        return true;
    std::uint32_t t = 0;
    if (!thread_of(raw, ev, t, why))
        return false;
    if (*name == "thread_name") {
        if (const std::string *n = string_field(args, "name"))
            raw.threads[t].name = cut_name(*n, raw.limits.maxNameBytes);
    } else if (args && args->is_object()) {
        const Json *i = field(*args, "sort_index");
        if (i && i->is_number_integer())
            raw.threads[t].sortIndex = i->get<std::int64_t>();
    }
    return true;
}

bool counter_event(RawTrace &raw, const EventInput &ev, std::int64_t t, std::string &why)
{
    const Json *args = field(*ev.json, "args");
    if (!args || !args->is_object())
        return true;
    const std::string *name = string_field(ev.json, "name");
    const std::string base = name ? *name : std::string("counter");
    for (const auto &item : args->items()) {
        const Json &v = item.value();
        if (!v.is_number())
            continue;
        const double d = v.get<double>();
        if (!std::isfinite(d) || std::fabs(d) > 9e18) {
            why = "counter value \"" + item.key() + "\" is not a finite 64-bit number";
            return false;
        }
        if (raw.kept >= raw.limits.maxEvents) {
            why = "more than " + std::to_string(raw.limits.maxEvents) + " events";
            return false;
        }
        ++raw.kept; // each value is a sample of its own
        const std::int64_t value = v.is_number_integer() && !v.is_number_unsigned()
                                       ? v.get<std::int64_t>()
                                       : std::llround(d);
        const std::string label = item.key() == "value" ? base : base + " " + item.key();
        raw.counters.push_back({t, value, label_of(raw, label)});
    }
    return true;
}

} // namespace

std::string micros_text(double micros)
{
    char text[32];
    std::snprintf(text, sizeof text, "%g", micros);
    return text;
}

bool micros_to_ns(const Json &v, const std::string &text, const char *key, double maxAbsMicros,
                  std::int64_t &ns, std::string &why)
{
    const auto bad = [&](const char *what) {
        why = std::string("\"") + key + "\" " + what;
        return false;
    };
    if (!v.is_number())
        return bad(
            (std::string("must be a number of microseconds, found ") + v.type_name()).c_str());
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > maxAbsMicros)
        return bad(
            ("is out of range (at most " + micros_text(maxAbsMicros) + " microseconds either way)")
                .c_str());
    if (v.is_number_integer()) {
        ns = (v.is_number_unsigned() ? std::int64_t(v.get<std::uint64_t>())
                                     : v.get<std::int64_t>()) *
             1000;
        return true;
    }
    // A plain decimal literal is converted digit by digit: "12.3456" is 12346 ns.
    std::size_t i = text.empty() || text[0] != '-' ? 0 : 1;
    std::int64_t whole = 0;
    std::size_t digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits)
        whole = whole * 10 + (text[i] - '0');
    if (digits > 0 && digits <= 16 && i < text.size() && text[i] == '.') {
        std::int64_t frac = 0;
        int fracDigits = 0;
        bool roundUp = false;
        std::size_t j = i + 1;
        for (; j < text.size() && text[j] >= '0' && text[j] <= '9'; ++j, ++fracDigits) {
            if (fracDigits < 3)
                frac = frac * 10 + (text[j] - '0');
            else if (fracDigits == 3)
                roundUp = text[j] >= '5';
        }
        if (j == text.size() && fracDigits > 0) {
            for (int k = fracDigits; k < 3; ++k)
                frac *= 10;
            const std::int64_t abs = whole * 1000 + frac + (roundUp ? 1 : 0);
            ns = text[0] == '-' ? -abs : abs;
            return true;
        }
    }
    ns = std::llround(d * 1000.0);
    return true;
}

bool add_event(RawTrace &raw, const EventInput &ev, std::string &why)
{
    const Json &e = *ev.json;
    const Json *ph = field(e, "ph");
    if (!ph || !ph->is_string()) {
        why = ph ? std::string("\"ph\" must be a string, found ") + ph->type_name()
                 : std::string("missing \"ph\" (the event's phase)");
        return false;
    }
    const std::string &phase = ph->get_ref<const std::string &>();
    if (phase == "M")
        return metadata_event(raw, e, why);
    const bool instant = phase == "i" || phase == "I";
    if (phase != "X" && phase != "B" && phase != "E" && phase != "C" && !instant)
        return true; // flows, samples, async and object events are not shown
    if (raw.kept >= raw.limits.maxEvents) {
        why = "more than " + std::to_string(raw.limits.maxEvents) + " events";
        return false;
    }
    if (phase != "C")
        ++raw.kept; // a counter counts its values
    std::int64_t t = 0;
    if (!time_of(raw, ev, "ts", ev.tsText, t, why))
        return false;
    seen(raw, t);
    if (phase == "C")
        return counter_event(raw, ev, t, why);
    if (instant) {
        const std::string *scope = string_field(&e, "s");
        if (scope && *scope != "t")
            return true; // process and global instants belong to no lane
    }
    std::uint32_t th = 0;
    if (!thread_of(raw, e, th, why))
        return false;
    RawThread &thread = raw.threads[th];
    if (phase == "X") {
        std::int64_t dur = 0;
        if (!time_of(raw, ev, "dur", ev.durText, dur, why))
            return false;
        if (dur < 0) {
            why = "\"dur\" must not be negative";
            return false;
        }
        // Both are within the limit, so the sum cannot overflow; it must be within too.
        if (double(t + dur) > raw.limits.maxAbsMicros * 1000) {
            why = "\"ts\" + \"dur\" is out of range (at most " +
                  micros_text(raw.limits.maxAbsMicros) + " microseconds)";
            return false;
        }
        RawSlice s{t, t + dur, 0, State::Running};
        slice_look(raw, e, s);
        seen(raw, s.endNs);
        thread.slices.push_back(s);
    } else if (phase == "B") {
        if (thread.open.size() >= raw.limits.maxOpenSlices) {
            why = "more than " + std::to_string(raw.limits.maxOpenSlices) + " nested B events";
            return false;
        }
        RawSlice s{t, t, 0, State::Running};
        slice_look(raw, e, s);
        thread.open.push_back(s);
    } else if (phase == "E") {
        if (!thread.open.empty()) { // an E without its B is dropped
            RawSlice s = thread.open.back();
            thread.open.pop_back();
            s.endNs = std::max(t, s.startNs);
            thread.slices.push_back(s);
        }
    } else {
        const Json *args = field(e, "args");
        const std::string *hold = string_field(args, "hold");
        const std::string *res = string_field(args, "resource");
        const std::string *name = string_field(&e, "name");
        const Json *code = args && args->is_object() ? field(*args, "code") : nullptr;
        if (string_field(&e, "cat") && *string_field(&e, "cat") == "hold" && hold &&
            (*hold == "acquire" || *hold == "release"))
            thread.holds.push_back({t, res ? label_of(raw, *res) : 0, *hold == "acquire"});
        else if (code && code->is_number_integer())
            thread.marks.push_back({t, code->get<std::int64_t>(), res ? label_of(raw, *res) : 0});
        else
            thread.marks.push_back({t, kMarkStep, name ? label_of(raw, *name) : 0});
    }
    return true;
}

std::string cut_name(const std::string &s, std::size_t maxBytes)
{
    if (s.size() <= maxBytes)
        return s;
    std::size_t n = maxBytes;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n; // s[n] continues a sequence: cut before its lead byte
    return s.substr(0, n);
}

std::string size_text(std::uint64_t bytes)
{
    return bytes >= (1 << 20) ? std::to_string(bytes >> 20) + " MiB"
                              : std::to_string(bytes) + " bytes";
}

} // namespace il::trace
