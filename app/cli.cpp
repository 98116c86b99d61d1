#include "cli.h"

#include "imageexport.h"
#include "params.h"
#include "registry.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Below a few MiB the per-lane storage floor (a chunk per lane) is larger than the
// budget; above 1 TiB is not a budget.
constexpr qulonglong kMinBudgetMiB = 4;
constexpr qulonglong kMaxBudgetMiB = 1 << 20;
// A millisecond to a day: the range the message names is the range accepted.
constexpr double kMinTimeoutSeconds = 0.001;
constexpr double kMaxTimeoutSeconds = 86400;

CliParse fail(const QString &message, int code = ExitBadArguments)
{
    return CliParse{std::nullopt, QStringLiteral("interleave: ") + message, code};
}

QString scenarioIds()
{
    QStringList ids;
    for (const auto &s : il::scenarios())
        ids << QString::fromStdString(s->info().id);
    return ids.join(QStringLiteral(", "));
}

// Creates and removes a file beside `path`, named as the writers name their temporary
// file: the one test that also holds for root in places no mode bit protects (/proc, a
// read-only mount) and for names too long for the file system.
QString creationProblem(const QString &path, const QString &dir)
{
    QByteArray probe = QFile::encodeName(path) + ".XXXXXX";
    const int fd = ::mkstemp(probe.data());
    if (fd < 0) {
        const int err = errno;
        return QStringLiteral("cannot write %1: cannot create a file in %2: %3")
            .arg(path, dir, QString::fromLocal8Bit(std::strerror(err)));
    }
    ::close(fd);
    ::unlink(probe.constData());
    return {};
}

// An output file must be creatable: its directory exists and takes new files, and the
// path is not a directory. Checked before a run, so a long run is not wasted. An existing
// device, FIFO or socket is refused too: the writers replace the file through a rename,
// which would put a regular file in its place (as root, even /dev/null).
QString outputProblem(const QString &path)
{
    if (path == QLatin1String("-"))
        return {};
    const QFileInfo info(path);
    if (info.isDir())
        return QStringLiteral("%1 is a directory, not a file").arg(path);
    const QString dirPath = info.absolutePath();
    const QFileInfo dir(dirPath);
    if (!dir.exists())
        return QStringLiteral("cannot write %1: directory %2 does not exist").arg(path, dirPath);
    if (!dir.isDir())
        return QStringLiteral("cannot write %1: %2 is not a directory").arg(path, dirPath);
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0 && !S_ISREG(st.st_mode))
        return QStringLiteral("cannot write %1: it is a device, FIFO or socket, not a regular "
                              "file")
            .arg(path);
    return creationProblem(path, dirPath);
}

// Digits with an optional sign: a whole number, whether or not it fits the option's range.
bool isWholeNumber(QStringView text)
{
    text = text.trimmed();
    if (text.startsWith(u'-') || text.startsWith(u'+'))
        text = text.mid(1);
    return !text.isEmpty() &&
           std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// A file option and the field of CliOptions it fills.
struct Output {
    const QCommandLineOption *option;
    QString *path;
};

QString optionName(const QCommandLineOption &option)
{
    return option.names().constFirst();
}

// The image options pick the format by name (--png, --svg, --speedup-png, …), the
// writer by suffix: a name that would make them disagree is refused.
QString imageSuffixProblem(const QString &name, const QString &path)
{
    const bool svgFile = imageFormatFor(path) == ImageFormat::Svg;
    if (name.endsWith(QLatin1String("png")) && svgFile)
        return QStringLiteral("--%1: %2 ends in .svg; use --%3")
            .arg(name, path, QString(name).replace(QLatin1String("png"), QLatin1String("svg")));
    if (name.endsWith(QLatin1String("svg")) && !svgFile)
        return QStringLiteral("--%1: %2 must end in .svg").arg(name, path);
    return {};
}

// Reads the output options that were given into their fields; a message if one of them
// is unusable. Only --stats writes to standard output ('-').
QString takeOutputs(const QCommandLineParser &parser, const std::vector<Output> &outputs)
{
    for (const auto &[option, path] : outputs) {
        if (!parser.isSet(*option))
            continue;
        *path = parser.value(*option);
        const QString name = optionName(*option);
        const bool stdoutAllowed = name == QLatin1String("stats");
        if (path->isEmpty())
            return stdoutAllowed ? QStringLiteral("--stats needs a file name or '-'")
                                 : QStringLiteral("--%1 needs a file name").arg(name);
        if (*path == QLatin1String("-")) {
            if (stdoutAllowed)
                continue;
            return QStringLiteral("--%1 cannot write to standard output; give a file name")
                .arg(name);
        }
        if (const QString problem = imageSuffixProblem(name, *path); !problem.isEmpty())
            return problem;
    }
    return {};
}

// Every output can be created, and no two of them write the same file (the second would
// silently replace the first).
CliParse checkOutputs(const CliOptions &o, const std::vector<Output> &outputs)
{
    for (auto a = outputs.begin(); a != outputs.end(); ++a) {
        if (a->path->isEmpty() || *a->path == QLatin1String("-"))
            continue;
        const QString file = QFileInfo(*a->path).absoluteFilePath();
        for (auto b = std::next(a); b != outputs.end(); ++b)
            if (!b->path->isEmpty() && QFileInfo(*b->path).absoluteFilePath() == file)
                return fail(QStringLiteral("--%1 and --%2 both write %3")
                                .arg(optionName(*a->option), optionName(*b->option), *a->path));
    }
    for (const Output &output : outputs)
        if (!output.path->isEmpty())
            if (const QString problem = outputProblem(*output.path); !problem.isEmpty())
                return fail(problem, ExitFileError);
    return CliParse{o, {}, ExitOk};
}

// The trace --open names must be a readable file. Checked before a window opens, so a
// wrong path from a script ends with one line instead of an empty window. Opened, not
// only checked with access(): that says yes to root for any mode, and to a socket, which
// no one can open (without blocking, so a FIFO with no writer yet does not stop us here).
QString openProblem(const QString &path)
{
    if (QFileInfo(path).isDir())
        return QStringLiteral("%1: is a directory, not a trace file").arg(path);
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return QStringLiteral("%1: cannot open: %2")
            .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    ::close(fd);
    return {};
}

// `--open FILE`: in the window; with --headless or any output, exports without one.
CliParse parseOpen(const QCommandLineParser &parser, CliOptions &o,
                   const std::vector<Output> &outputs,
                   std::initializer_list<const QCommandLineOption *> excluded)
{
    for (const auto *opt : excluded)
        if (parser.isSet(*opt))
            return fail(
                QStringLiteral("--open cannot be combined with --%1").arg(optionName(*opt)));
    o.openPath = parser.value(QStringLiteral("open"));
    if (o.openPath.isEmpty())
        return fail(QStringLiteral("--open needs a file name"));
    if (const QString problem = takeOutputs(parser, outputs); !problem.isEmpty())
        return fail(problem);
    if (const QString problem = openProblem(o.openPath); !problem.isEmpty())
        return fail(problem, ExitFileError);
    const bool anyOutput = std::any_of(outputs.begin(), outputs.end(), [&](const Output &out) {
        return parser.isSet(*out.option);
    });
    if (!anyOutput && !parser.isSet(QStringLiteral("headless"))) {
        o.mode = CliOptions::Mode::Gui;
        return CliParse{o, {}, ExitOk};
    }
    o.mode = CliOptions::Mode::Open;
    return checkOutputs(o, outputs);
}

// Qt's help text names the program after the running QCoreApplication, and main() parses
// before there is one ("Usage: <executable_name>"): name it after argv[0] instead.
QString helpText(const QCommandLineParser &parser, const QStringList &arguments)
{
    QString text = parser.helpText();
    const QString program = arguments.isEmpty() ? QStringLiteral("interleave")
                                                : QFileInfo(arguments.first()).fileName();
    const qsizetype firstLineEnd = text.indexOf(QLatin1Char('\n'));
    if (text.startsWith(QLatin1String("Usage: ")) && firstLineEnd > 0)
        text.replace(0, firstLineEnd, QStringLiteral("Usage: %1 [options]").arg(program));
    return text;
}

} // namespace

CliParse parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Interleave: watch concurrency happen on real threads.\n"
                       "Without options it opens the window."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption list(QStringLiteral("list"), QStringLiteral("List the scenarios."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("With --list: JSON."));
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QStringLiteral("Run a scenario without a window."));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("Scenario to run: %1.").arg(scenarioIds()),
                                      QStringLiteral("ID"));
    const QCommandLineOption param(QStringLiteral("param"),
                                   QStringLiteral("Set a parameter (repeatable)."),
                                   QStringLiteral("key=value"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seed for random choices (default: random)."),
                                  QStringLiteral("N"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Stop the run after this many seconds."),
                                     QStringLiteral("SECONDS"));
    const QCommandLineOption stats(QStringLiteral("stats"),
                                   QStringLiteral("Write the run's stats JSON ('-': stdout)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption png(QStringLiteral("png"),
                                 QStringLiteral("Export the timeline as a PNG image."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption svg(QStringLiteral("svg"),
                                 QStringLiteral("Export the timeline as an SVG image."),
                                 QStringLiteral("FILE.svg"));
    const QCommandLineOption speedupPng(
        QStringLiteral("speedup-png"),
        QStringLiteral("Export the speedup chart as a PNG image (amdahl only)."),
        QStringLiteral("FILE"));
    const QCommandLineOption speedupSvg(
        QStringLiteral("speedup-svg"),
        QStringLiteral("Export the speedup chart as an SVG image (amdahl only)."),
        QStringLiteral("FILE.svg"));
    const QCommandLineOption memoryBudget(
        QStringLiteral("memory-budget"),
        QStringLiteral("Keep at most this much timeline detail in memory, in MiB (default %1); "
                       "past it the oldest detail is dropped.")
            .arg(il::Timeline::kDefaultMemoryBudget >> 20),
        QStringLiteral("MIB"));
    const QCommandLineOption trace(
        QStringLiteral("trace"),
        QStringLiteral("Save the run as a Chrome trace (Perfetto UI, chrome://tracing)."),
        QStringLiteral("FILE.json"));
    const QCommandLineOption csv(QStringLiteral("csv"),
                                 QStringLiteral("Write the segments as CSV (lane, state, resource, "
                                                "start_us, end_us)."),
                                 QStringLiteral("FILE"));
    const QCommandLineOption open(
        QStringLiteral("open"),
        QStringLiteral("Re-open a saved trace in the window; with --headless, or with --png, "
                       "--svg, --trace, --csv or --stats, export from it without a window."),
        QStringLiteral("FILE.json"));
    parser.addOptions({list, json, headless, scenario, param, seed, timeout, stats, png, svg,
                       speedupPng, speedupSvg, memoryBudget, trace, csv, open});

    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        return CliParse{std::nullopt, helpText(parser, arguments), ExitOk};
    if (parser.isSet(QStringLiteral("version")))
        return CliParse{std::nullopt, QStringLiteral("interleave 0.1"), ExitOk};
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'")
                        .arg(parser.positionalArguments().constFirst()));
    // Every option but --param is single: a second --seed or --png would silently win over
    // the first. optionNames() lists a name once per use, so flags count too.
    const QStringList given = parser.optionNames();
    for (const auto *single : {&list, &json, &headless, &scenario, &seed, &timeout, &stats, &png,
                               &svg, &speedupPng, &speedupSvg, &memoryBudget, &trace, &csv, &open})
        if (given.count(optionName(*single)) > 1)
            return fail(QStringLiteral("--%1 given more than once").arg(optionName(*single)));

    CliOptions o;
    // The files a run or a re-opened trace can be exported to; the speedup chart only
    // comes from a run.
    std::vector<Output> outputs{{&stats, &o.statsPath},
                                {&png, &o.pngPath},
                                {&svg, &o.svgPath},
                                {&trace, &o.tracePath},
                                {&csv, &o.csvPath}};
    if (parser.isSet(memoryBudget)) {
        bool ok = false;
        const qulonglong mib = parser.value(memoryBudget).toULongLong(&ok);
        if (!ok || mib < kMinBudgetMiB || mib > kMaxBudgetMiB)
            return fail(QStringLiteral("--memory-budget '%1' must be a whole number of MiB from %2 "
                                       "to %3")
                            .arg(parser.value(memoryBudget))
                            .arg(kMinBudgetMiB)
                            .arg(kMaxBudgetMiB));
        o.memoryBudgetBytes = std::size_t(mib) << 20;
    }
    if (parser.isSet(open))
        return parseOpen(
            parser, o, outputs,
            {&list, &json, &scenario, &param, &seed, &timeout, &speedupPng, &speedupSvg});
    outputs.push_back({&speedupPng, &o.speedupPngPath});
    outputs.push_back({&speedupSvg, &o.speedupSvgPath});
    if (parser.isSet(list)) {
        if (parser.isSet(headless))
            return fail(QStringLiteral("--list and --headless cannot be combined"));
        o.mode = CliOptions::Mode::List;
        o.json = parser.isSet(json);
        return CliParse{o, {}, ExitOk};
    }
    if (!parser.isSet(headless)) {
        for (const auto *opt : {&scenario, &param, &seed, &timeout, &json})
            if (parser.isSet(*opt))
                return fail(QStringLiteral("--%1 needs --headless").arg(optionName(*opt)));
        for (const Output &output : outputs)
            if (parser.isSet(*output.option))
                return fail(
                    QStringLiteral("--%1 needs --headless").arg(optionName(*output.option)));
        return CliParse{o, {}, ExitOk};
    }

    o.mode = CliOptions::Mode::Headless;
    if (!parser.isSet(scenario))
        return fail(
            QStringLiteral("--headless needs --scenario ID (one of: %1)").arg(scenarioIds()));
    const QString id = parser.value(scenario);
    o.scenario = il::find_scenario(id.toStdString());
    if (!o.scenario)
        return fail(QStringLiteral("unknown scenario '%1' (known: %2)").arg(id, scenarioIds()));
    const il::ScenarioInfo &info = o.scenario->info();
    o.params = il::default_params(info);
    QStringList seen;
    for (const QString &assignment : parser.values(param)) {
        const QString key = assignment.section(QLatin1Char('='), 0, 0);
        if (seen.contains(key))
            return fail(QStringLiteral("parameter %1 given more than once").arg(key));
        seen << key;
        if (auto error = il::assign_param(info, assignment.toStdString(), o.params))
            return fail(QString::fromStdString(*error));
    }
    if (parser.isSet(seed)) {
        bool ok = false;
        o.seed = parser.value(seed).toULongLong(&ok);
        if (!ok)
            return fail(
                (isWholeNumber(parser.value(seed))
                     ? QStringLiteral("--seed '%1' is out of range; allowed range is 0 to %2")
                     : QStringLiteral("--seed '%1' is not a whole number from 0 to %2"))
                    .arg(parser.value(seed))
                    .arg(std::numeric_limits<qulonglong>::max()));
    } else {
        o.seed = QRandomGenerator::global()->generate64();
    }
    if (parser.isSet(timeout)) {
        bool ok = false;
        o.timeoutSeconds = parser.value(timeout).toDouble(&ok);
        if (!ok || !(o.timeoutSeconds >= kMinTimeoutSeconds) ||
            o.timeoutSeconds > kMaxTimeoutSeconds)
            return fail(QStringLiteral("--timeout '%1' must be a number of seconds from "
                                       "%2 to %3")
                            .arg(parser.value(timeout))
                            .arg(kMinTimeoutSeconds)
                            .arg(kMaxTimeoutSeconds));
    }
    for (const auto *chart : {&speedupPng, &speedupSvg})
        if (parser.isSet(*chart) && info.id != "amdahl")
            return fail(QStringLiteral("--%1: scenario '%2' has no speedup chart (only amdahl has)")
                            .arg(optionName(*chart), id));
    if (const QString problem = takeOutputs(parser, outputs); !problem.isEmpty())
        return fail(problem);
    return checkOutputs(o, outputs);
}
