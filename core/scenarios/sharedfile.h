#pragma once
#include <cstdint>
#include <string>

namespace il {

// A counter kept as decimal text in a file of its own, in a fresh temporary directory
// (mkdtemp under $TMPDIR or /tmp) that is removed with the object. A write goes to a
// temporary file that is then renamed over the counter, so a reader always sees a whole
// number: the old one or the new one, never half of it. Nothing stops two threads from
// reading the same value and both writing theirs, which is the point.
class SharedCounterFile {
public:
    SharedCounterFile(); // throws std::runtime_error naming what failed
    ~SharedCounterFile();
    SharedCounterFile(const SharedCounterFile &) = delete;
    SharedCounterFile &operator=(const SharedCounterFile &) = delete;

    std::int64_t read() const;
    // `writer` makes the temporary file's name unique among concurrent writers.
    void write(std::int64_t value, int writer) const;

private:
    std::string m_dir;
    std::string m_path;
};

} // namespace il
