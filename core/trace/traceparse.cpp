#include "traceparse.h"

#include "traceevent.h"
#include "tracereader.h"

#include <string_view>

namespace il::trace {
namespace {

// Where the parser is in the document.
enum class Part { Top, Skip, Events, Event, Metadata };

// Builds each event (and the metadata) as a small tree of its own while skipping
// everything else, so memory follows the largest event, not the file.
class Sax {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    Sax(RawTrace &raw, const ParseHooks &hooks)
        : m_raw(raw)
        , m_hooks(hooks)
    {
    }

    bool null() { return value(nullptr); }
    bool boolean(bool v) { return value(v); }
    bool number_integer(number_integer_t v) { return value(v); }
    bool number_unsigned(number_unsigned_t v) { return value(v); }
    bool number_float(number_float_t v, const string_t &text)
    {
        // ts and dur keep their text: "12.345" is exactly 12345 ns, a double is not.
        if (m_part == Part::Event && m_stack.size() == 1) {
            if (m_key == "ts")
                m_ev.tsText = text;
            else if (m_key == "dur")
                m_ev.durText = text;
        }
        return value(v);
    }
    bool string(string_t &v) { return value(std::move(v)); }
    bool binary(binary_t &) { return fail("binary values are not JSON"); }

    bool start_object(std::size_t) { return open(Json::object(), true); }
    bool start_array(std::size_t) { return open(Json::array(), false); }
    bool key(string_t &k)
    {
        if (m_depth == 1 && m_part == Part::Top) {
            m_topKey = k;
            if (k == "traceEvents")
                m_sawEvents = true;
        }
        m_key = std::move(k);
        return true;
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool parse_error(std::size_t position, const std::string &,
                     const nlohmann::detail::exception &e)
    {
        if (!m_error.empty() || m_hooks.stop())
            return false; // our own stop, or an input that went wrong: said elsewhere
        std::string what = e.what();
        if (const auto at = what.find("] "); at != std::string::npos)
            what.erase(0, at + 2);
        if (position <= 1 && m_hooks.position() == 0)
            m_error = "byte 0: the file is empty; expected a Chrome trace (a JSON object "
                      "with \"traceEvents\", or an array of events)";
        else
            m_error = "byte " + std::to_string(position) + ": not valid JSON (" + what + ")";
        return false;
    }

    const std::string &error() const { return m_error; }
    bool sawEvents() const { return m_sawEvents; }

private:
    bool fail(std::string what)
    {
        m_error = "byte " + std::to_string(m_hooks.position()) + ": " + std::move(what);
        return false;
    }

    bool open(Json empty, bool object)
    {
        if (++m_depth > m_raw.limits.maxDepth)
            return fail("nested deeper than " + std::to_string(m_raw.limits.maxDepth) + " levels");
        switch (m_part) {
        case Part::Top:
            if (m_depth == 1) {
                if (!object) { // the JSON Array Format: the document is the event list
                    m_part = Part::Events;
                    m_eventsDepth = 1;
                    m_sawEvents = true;
                }
                return true;
            }
            // depth 2: the value of a top-level key
            if (m_topKey == "traceEvents") {
                if (object)
                    return fail("\"traceEvents\" must be an array of events, found an object");
                m_part = Part::Events;
                m_eventsDepth = 2;
                return true;
            }
            if (m_topKey == "metadata" && object) {
                m_part = Part::Metadata;
                m_values = 0;
                return push(std::move(empty));
            }
            m_part = Part::Skip;
            m_skipDepth = m_depth;
            return true;
        case Part::Skip: return true;
        case Part::Events:
            if (!object)
                return event_fail("expected an event object, found an array");
            m_part = Part::Event;
            m_ev = EventInput{};
            m_values = 0;
            return push(std::move(empty));
        case Part::Event:
        case Part::Metadata: return push(std::move(empty));
        }
        return true;
    }

    bool close()
    {
        const std::size_t depth = m_depth--;
        switch (m_part) {
        case Part::Top: return true;
        case Part::Skip:
            if (depth == m_skipDepth)
                m_part = Part::Top;
            return true;
        case Part::Events:
            if (depth == m_eventsDepth)
                m_part = Part::Top;
            return true;
        case Part::Event:
            m_stack.pop_back();
            if (!m_stack.empty())
                return true;
            m_part = Part::Events;
            return finish_event();
        case Part::Metadata:
            m_stack.pop_back();
            if (m_stack.empty()) {
                m_raw.metadata = std::move(m_tree);
                m_part = Part::Top;
            }
            return true;
        }
        return true;
    }

    bool finish_event()
    {
        if (m_hooks.stop())
            return false;
        m_ev.index = m_eventIndex;
        m_ev.json = &m_tree;
        std::string why;
        if (!add_event(m_raw, m_ev, why))
            return event_fail(std::move(why));
        ++m_eventIndex;
        return true;
    }

    bool event_fail(std::string what)
    {
        m_error = "event #" + std::to_string(m_eventIndex) + " (near byte " +
                  std::to_string(m_hooks.position()) + "): " + std::move(what);
        return false;
    }

    template <typename V> bool value(V &&v)
    {
        switch (m_part) {
        case Part::Top:
            if (m_depth == 0)
                return fail("expected a JSON object with \"traceEvents\", or an array of events");
            if (m_topKey == "traceEvents")
                return fail("\"traceEvents\" must be an array of events");
            return true;
        case Part::Skip: return true;
        case Part::Events: return event_fail("expected an event object");
        case Part::Event:
        case Part::Metadata: return put(Json(std::forward<V>(v))) != nullptr;
        }
        return true;
    }

    // Adds `v` to the tree under construction; returns where it went.
    Json *put(Json v)
    {
        const std::size_t cap =
            m_part == Part::Event ? m_raw.limits.maxEventValues : m_raw.limits.maxMetadataValues;
        if (++m_values > cap) {
            m_error = "byte " + std::to_string(m_hooks.position()) + ": more than " +
                      std::to_string(cap) + " values in one " +
                      (m_part == Part::Event ? "event" : "metadata object");
            return nullptr;
        }
        if (m_stack.empty()) {
            m_tree = std::move(v);
            return &m_tree;
        }
        Json &parent = *m_stack.back();
        if (parent.is_object()) {
            Json &slot = parent[m_key];
            slot = std::move(v);
            return &slot;
        }
        parent.push_back(std::move(v));
        return &parent.back();
    }

    bool push(Json empty)
    {
        Json *at = put(std::move(empty));
        if (!at)
            return false;
        m_stack.push_back(at);
        return true;
    }

    RawTrace &m_raw;
    const ParseHooks &m_hooks;
    Part m_part = Part::Top;
    std::size_t m_depth = 0;
    std::size_t m_skipDepth = 0;
    std::size_t m_eventsDepth = 0;
    std::string m_topKey;
    std::string m_key;
    bool m_sawEvents = false;
    Json m_tree;
    std::vector<Json *> m_stack;
    std::size_t m_values = 0;
    EventInput m_ev;
    std::uint64_t m_eventIndex = 0;
    std::string m_error;
};

} // namespace

bool parse_events(std::istream &in, RawTrace &raw, const ParseHooks &hooks, std::string &error)
{
    Sax sax(raw, hooks);
    const bool ok = Json::sax_parse(in, &sax, Json::input_format_t::json, true);
    if (ok && !sax.sawEvents()) {
        error = "byte " + std::to_string(hooks.position()) +
                ": no \"traceEvents\" array; expected a Chrome trace (a JSON object with "
                "\"traceEvents\", or an array of events)";
        return false;
    }
    if (!ok)
        error = sax.error().empty() ? std::string("the input ended early") : sax.error();
    return ok;
}

} // namespace il::trace
