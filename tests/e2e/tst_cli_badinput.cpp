#include "tst_cli_run.h"

#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

// End to end: every kind of bad command line, one table. Each row must be answered with
// exit status 2 (bad arguments) or 3 (a file that cannot be read or written), exactly one
// line on stderr that names the problem, nothing on stdout, and no file created, replaced
// or left behind under a temporary name. tst_cli_args checks the wording of the common
// mistakes; this table goes through the odd values, every output option and the file
// system's corners.
//
// We run as root, whom mode bits do not stop, so "unreadable" and "read-only" are made of
// what stops root too: a socket (no one can open it), /proc/self/mem (opens, then read()
// fails with EIO), a path under a regular file (ENOTDIR), /proc and /sys (no new files
// there). A mode-000 file is tried only when the test does not run as root.

using cli::Result;

namespace {

// What a directory holds, recursively: name, inode, type and size of every entry, hidden
// ones, FIFOs and sockets included. Two listings differ if anything was created, removed
// or replaced (renamed over, or a FIFO turned into a regular file).
QStringList listing(const QString &dir)
{
    QStringList entries;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        struct stat st {};
        ::lstat(QFile::encodeName(info.filePath()).constData(), &st);
        entries << QStringLiteral("%1 inode %2 mode %3 size %4")
                       .arg(QDir(dir).relativeFilePath(info.filePath()))
                       .arg(st.st_ino)
                       .arg(st.st_mode, 0, 8)
                       .arg(S_ISDIR(st.st_mode) ? 0 : st.st_size);
    }
    entries.sort();
    return entries;
}

bool makeSocketFile(const QString &path)
{
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray name = QFile::encodeName(path);
    if (std::size_t(name.size()) >= sizeof(addr.sun_path))
        return false;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    std::memcpy(addr.sun_path, name.constData(), std::size_t(name.size()));
    const bool bound = ::bind(fd, reinterpret_cast<const sockaddr *>(&addr), sizeof(addr)) == 0;
    ::close(fd); // the socket file stays
    return bound;
}

const QStringList kRace{"--headless", "--scenario", "race",        "--param",
                        "threads=1",  "--param",    "increments=1"};
const QStringList kAmdahl{"--headless",    "--scenario", "amdahl",    "--param",
                          "max_threads=1", "--param",    "work_ms=10"};

// The output options, each with a file name it accepts and the scenario that has it.
struct OutputOption {
    const char *name;
    const char *file;
    QStringList scenario;
};
const OutputOption kOutputs[] = {
    {"--stats", "s.json", kRace},        {"--png", "t.png", kRace},
    {"--svg", "t.svg", kRace},           {"--trace", "t.json", kRace},
    {"--csv", "t.csv", kRace},           {"--speedup-png", "s.png", kAmdahl},
    {"--speedup-svg", "s.svg", kAmdahl},
};

} // namespace

class TstCliBadInput : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // "@" in an argument or a message stands for the test's directory.
    QString expand(QString s) const
    {
        return s.replace(QLatin1Char('@'), m_dir.path() + QLatin1Char('/'));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QDir dir(m_dir.path());
        QFile file(dir.filePath(QStringLiteral("afile")));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.write("not a directory\n") > 0);
        file.close();
        QVERIFY(dir.mkpath(QStringLiteral("folder")));
        QVERIFY(dir.mkpath(QStringLiteral("folder.svg")));
        for (const char *fifo : {"fifo", "fifo.svg"})
            QVERIFY(::mkfifo(QFile::encodeName(dir.filePath(fifo)).constData(), 0644) == 0);
        QVERIFY(makeSocketFile(dir.filePath(QStringLiteral("sock"))));
        // A good trace, for the rows that re-open one and export it badly.
        const Result made = cli::run(kRace + QStringList{"--trace", dir.filePath("good.json")});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        if (::geteuid() != 0) {
            const QString locked = dir.filePath(QStringLiteral("locked.json"));
            QVERIFY(QFile::copy(dir.filePath(QStringLiteral("good.json")), locked));
            QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
        }
    }

    void refused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message"); // a part of the one line that names the problem
        const auto row = [](const QString &name, const QStringList &args, int code,
                            const QString &message) {
            QTest::newRow(qPrintable(name)) << args << code << message;
        };

        // Scenarios and parameters nobody has.
        row("scenario: empty", {"--headless", "--scenario", ""}, 2, "unknown scenario ''");
        row("scenario: wrong case", {"--headless", "--scenario", "RACE"}, 2, "'RACE'");
        row("parameter: wrong case", kRace + QStringList{"--param", "Threads=2"}, 2,
            "unknown parameter 'Threads'");
        row("parameter: no key", kRace + QStringList{"--param", "=2"}, 2, "'=2'");
        row("parameter: another scenario's", kRace + QStringList{"--param", "meals=2"}, 2,
            "unknown parameter 'meals'");

        // Values: out of range, not numbers, not choices.
        const QStringList race{"--headless", "--scenario", "race", "--param", "increments=1"};
        const QStringList values{"-1",  "0", "65",    "-0",   "99999999999999999999999",
                                 "1e3", "",  "12abc", "0x10", "3.0",
                                 " 3",  "+3"};
        for (const QString &v : values)
            row("threads='" + v + "'", race + QStringList{"--param", "threads=" + v}, 2,
                "threads: ");
        // Whole numbers beyond 64 bits are out of range, not malformed.
        for (const QString &v :
             QStringList{"9223372036854775808", "-9223372036854775809", "99999999999999999999999"})
            row("threads=" + v + " (beyond int64)", race + QStringList{"--param", "threads=" + v},
                2, "parameter threads: " + v + " is out of range; allowed range is 1 to 64");
        const QStringList dining{"--headless", "--scenario", "philosophers"};
        for (const QString &v : QStringList{"", "NAIVE", "1"})
            row(QStringLiteral("strategy='%1'").arg(v),
                dining + QStringList{"--param", QStringLiteral("strategy=") + v}, 2,
                "is not one of naive");
        row("jitter=''", dining + QStringList{"--param", "jitter="}, 2, "is not on or off");
        for (const QString &v : QStringList{"-1", "99999999999999999999999", "1e3", "", "12abc"})
            row("seed='" + v + "'", kRace + QStringList{"--seed", v}, 2, "--seed '" + v + "'");
        for (const QString &v : QStringList{"18446744073709551616", "99999999999999999999999", "-1",
                                            "-18446744073709551616"})
            row("seed=" + v + " (out of range)", kRace + QStringList{"--seed", v}, 2,
                "--seed '" + v + "' is out of range; allowed range is 0 to 18446744073709551615");
        for (const QString &v :
             QStringList{"0", "0.0001", "86401", "1e999", "nan", "inf", "-inf", "", "12abc"})
            row("timeout='" + v + "'", kRace + QStringList{"--timeout", v}, 2,
                "--timeout '" + v + "'");
        for (const QString &v :
             QStringList{"-5", "3", "1048577", "1e3", "", "12abc", "99999999999999999999"})
            row("memory-budget='" + v + "'", kRace + QStringList{"--memory-budget", v}, 2,
                "--memory-budget '" + v + "'");

        // Options given twice, even with the same value.
        row("scenario twice", kRace + QStringList{"--scenario", "race"}, 2,
            "--scenario given more than once");
        row("scenario twice, different", kRace + QStringList{"--scenario", "mutex"}, 2,
            "--scenario given more than once");
        row("--headless twice", kRace + QStringList{"--headless"}, 2,
            "--headless given more than once");
        row("--list twice", {"--list", "--list"}, 2, "--list given more than once");
        row("--json twice", {"--list", "--json", "--json"}, 2, "--json given more than once");
        row("--seed twice, different", kRace + QStringList{"--seed", "1", "--seed", "2"}, 2,
            "--seed given more than once");
        row("--png twice, different", kRace + QStringList{"--png", "@a.png", "--png", "@b.png"}, 2,
            "--png given more than once");
        row("--timeout twice, different", kRace + QStringList{"--timeout", "1", "--timeout", "2"},
            2, "--timeout given more than once");
        row("same parameter twice", kRace + QStringList{"--param", "threads=1"}, 2,
            "parameter threads given more than once");
        for (const QString &option : QStringList{"--seed", "--timeout", "--memory-budget"})
            row(option + " twice", kRace + QStringList{option, "64", option, "64"}, 2,
                option + " given more than once");
        for (const OutputOption &out : kOutputs)
            row(QStringLiteral("%1 twice").arg(out.name),
                out.scenario + QStringList{out.name, QStringLiteral("@a") + out.file, out.name,
                                           QStringLiteral("@b") + out.file},
                2, QStringLiteral("%1 given more than once").arg(out.name));
        row("--open twice", {"--open", "@good.json", "--open", "@good.json", "--headless"}, 2,
            "--open given more than once");

        // Input files that are missing or cannot be read, headless and for the window.
        for (const QStringList &mode : {QStringList{"--headless"}, QStringList{}}) {
            const QString where = mode.isEmpty() ? " (window)" : "";
            row("open: missing" + where, QStringList{"--open", "@missing.json"} + mode, 3,
                "@missing.json: cannot open: No such file or directory");
            row("open: under a regular file" + where,
                QStringList{"--open", "@afile/run.json"} + mode, 3, "Not a directory");
            row("open: a socket" + where, QStringList{"--open", "@sock"} + mode, 3,
                "@sock: cannot open: No such device or address");
            row("open: empty name" + where, QStringList{"--open", ""} + mode, 2,
                "--open needs a file name");
        }
        row("open: read() fails", {"--open", "/proc/self/mem", "--headless"}, 3,
            "/proc/self/mem: cannot be read: Input/output error");
        row("open: mode 000", {"--open", "@locked.json", "--headless"}, 3, "Permission denied");

        // Every output option into every place that takes no file.
        for (const OutputOption &out : kOutputs) {
            const QString name = QString::fromLatin1(out.name);
            const QString file = QString::fromLatin1(out.file);
            const auto bad = [&](const QString &what, const QString &path, const QString &msg) {
                row(name + ": " + what, out.scenario + QStringList{name, path}, 3, msg);
            };
            bad("missing directory", "@nodir/" + file, "directory @nodir does not exist");
            bad("under a regular file", "@afile/" + file, "@afile is not a directory");
            bad("read-only directory (/proc)", "/proc/" + file,
                "cannot write /proc/" + file + ": cannot create a file in /proc");
            bad("directory", file.endsWith(".svg") ? "@folder.svg" : "@folder",
                "is a directory, not a file");
            bad("FIFO", file.endsWith(".svg") ? "@fifo.svg" : "@fifo", "not a regular file");
            bad("name too long", "@" + QString(250, QLatin1Char('n')) + "." + file,
                "File name too long");
            row(name + ": empty name", out.scenario + QStringList{name, ""}, 2,
                name + " needs a file name");
        }
        row("--png: the current directory", kRace + QStringList{"--png", "."}, 3,
            ". is a directory");
        row("--trace: relative, missing directory", kRace + QStringList{"--trace", "nodir/t.json"},
            3, "@nodir does not exist");
        row("--stats: read-only directory (/sys)", kRace + QStringList{"--stats", "/sys/s.json"}, 3,
            "cannot create a file in /sys");
        // The same checks when exporting a re-opened trace.
        for (const char *option : {"--stats", "--png", "--trace", "--csv"})
            row(QStringLiteral("open, then %1 into /proc").arg(option),
                {"--open", "@good.json", option, "/proc/out"}, 3, "cannot create a file in /proc");
        row("open, then --svg into a FIFO", {"--open", "@good.json", "--svg", "@fifo.svg"}, 3,
            "not a regular file");
    }

    void refused()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        if (args.contains(QStringLiteral("@locked.json")) && ::geteuid() == 0)
            QSKIP("root reads a mode-000 file; the socket and /proc/self/mem rows stand in");
        for (QString &arg : args)
            arg = expand(arg);
        message = expand(message);
        // Outputs that would land outside the test's directory must not appear either.
        QStringList elsewhere;
        for (qsizetype i = 0; i + 1 < args.size(); ++i)
            if (args[i] != QLatin1String("--open") && args[i + 1].startsWith(QLatin1Char('/')) &&
                !args[i + 1].startsWith(m_dir.path()) && !QFileInfo::exists(args[i + 1]))
                elsewhere << args[i + 1];
        const QStringList before = listing(m_dir.path());

        // In the test's directory, so that a relative name would land there too.
        const Result r =
            cli::runProgram(QStringLiteral(INTERLEAVE_BINARY), args, 60'000, m_dir.path());

        QCOMPARE(r.exitCode, exitCode);
        const QString err = QString::fromUtf8(r.err);
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.endsWith('\n'), r.err.constData());
        QVERIFY2(err.startsWith(QLatin1String("interleave: ")), r.err.constData());
        QVERIFY2(err.contains(message), qPrintable(err + " lacks: " + message));
        QVERIFY2(r.out.isEmpty(), r.out.constData()); // nothing that looks like a result
        QCOMPARE(listing(m_dir.path()), before);
        for (const QString &path : elsewhere)
            QVERIFY2(!QFileInfo::exists(path), qPrintable(path));
    }
};

QTEST_GUILESS_MAIN(TstCliBadInput)
#include "tst_cli_badinput.moc"
