#include "cli.h"

#include "params.h"
#include "registry.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QRandomGenerator>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace {

// Below a few MiB the per-lane storage floor (a chunk per lane) is larger than the
// budget; above 1 TiB is not a budget.
constexpr qulonglong kMinBudgetMiB = 4;
constexpr qulonglong kMaxBudgetMiB = 1 << 20;

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

// An output file must be creatable: its directory exists and is writable, and the
// path is not a directory. Checked before a run, so a long run is not wasted.
QString outputProblem(const QString &path)
{
    if (path == QLatin1String("-"))
        return {};
    const QFileInfo info(path);
    if (info.isDir())
        return QStringLiteral("%1 is a directory, not a file").arg(path);
    const QFileInfo dir(info.absolutePath());
    if (!dir.isDir())
        return QStringLiteral("cannot write %1: directory %2 does not exist")
            .arg(path, info.absolutePath());
    if (!dir.isWritable())
        return QStringLiteral("cannot write %1: directory %2 is not writable")
            .arg(path, info.absolutePath());
    return {};
}

// --stats, --png, --trace and --csv into `o`; a message if one of them is unusable.
QString takeOutputs(const QCommandLineParser &parser, CliOptions &o,
                    const QCommandLineOption &stats, const QCommandLineOption &png,
                    const QCommandLineOption &trace, const QCommandLineOption &csv)
{
    o.statsPath = parser.value(stats);
    o.pngPath = parser.value(png);
    o.tracePath = parser.value(trace);
    o.csvPath = parser.value(csv);
    if (o.statsPath.isEmpty() && parser.isSet(stats))
        return QStringLiteral("--stats needs a file name or '-'");
    for (const auto &[path, option] :
         {std::pair{o.pngPath, &png}, std::pair{o.tracePath, &trace}, std::pair{o.csvPath, &csv}}) {
        const QString name = option->names().constFirst();
        if (path.isEmpty() && parser.isSet(*option))
            return QStringLiteral("--%1 needs a file name").arg(name);
        if (path == QLatin1String("-"))
            return QStringLiteral("--%1 cannot write to standard output; give a file name")
                .arg(name);
    }
    return {};
}

CliParse checkOutputs(const CliOptions &o)
{
    for (const QString &path : {o.statsPath, o.pngPath, o.speedupPngPath, o.tracePath, o.csvPath})
        if (!path.isEmpty())
            if (const QString problem = outputProblem(path); !problem.isEmpty())
                return fail(problem, ExitFileError);
    return CliParse{o, {}, ExitOk};
}

// `--open FILE [--headless] [--stats …] [--png …] [--trace …] [--csv …]`
CliParse parseOpen(const QCommandLineParser &parser, CliOptions &o,
                   std::initializer_list<const QCommandLineOption *> outputs,
                   std::initializer_list<const QCommandLineOption *> excluded)
{
    for (const auto *opt : excluded)
        if (parser.isSet(*opt))
            return fail(QStringLiteral("--open cannot be combined with --%1")
                            .arg(opt->names().constFirst()));
    o.openPath = parser.value(QStringLiteral("open"));
    if (o.openPath.isEmpty())
        return fail(QStringLiteral("--open needs a file name"));
    const bool anyOutput = std::any_of(outputs.begin(), outputs.end(),
                                       [&](const auto *opt) { return parser.isSet(*opt); });
    if (!anyOutput && !parser.isSet(QStringLiteral("headless")))
        return fail(QStringLiteral("--open in the window is not available yet; add --headless "
                                   "(and --png, --trace, --csv or --stats to export)"));
    o.mode = CliOptions::Mode::Open;
    const auto *it = outputs.begin();
    if (const QString problem = takeOutputs(parser, o, *it[0], *it[1], *it[2], *it[3]);
        !problem.isEmpty())
        return fail(problem);
    return checkOutputs(o);
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
    const QCommandLineOption speedupPng(
        QStringLiteral("speedup-png"),
        QStringLiteral("Export the speedup chart as a PNG image (amdahl only)."),
        QStringLiteral("FILE"));
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
        QStringLiteral("Re-open a saved trace without a window; --png, --trace, --csv and "
                       "--stats then export from it."),
        QStringLiteral("FILE.json"));
    parser.addOptions({list, json, headless, scenario, param, seed, timeout, stats, png, speedupPng,
                       memoryBudget, trace, csv, open});

    if (!parser.parse(arguments))
        return fail(parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        return CliParse{std::nullopt, parser.helpText(), ExitOk};
    if (parser.isSet(QStringLiteral("version")))
        return CliParse{std::nullopt, QStringLiteral("interleave 0.1"), ExitOk};
    if (!parser.positionalArguments().isEmpty())
        return fail(QStringLiteral("unexpected argument '%1'")
                        .arg(parser.positionalArguments().constFirst()));
    for (const auto *single : {&scenario, &seed, &timeout, &stats, &png, &speedupPng, &memoryBudget,
                               &trace, &csv, &open})
        if (parser.values(*single).size() > 1)
            return fail(
                QStringLiteral("--%1 given more than once").arg(single->names().constFirst()));

    CliOptions o;
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
        return parseOpen(parser, o, {&stats, &png, &trace, &csv},
                         {&list, &json, &scenario, &param, &seed, &timeout, &speedupPng});
    if (parser.isSet(list)) {
        if (parser.isSet(headless))
            return fail(QStringLiteral("--list and --headless cannot be combined"));
        o.mode = CliOptions::Mode::List;
        o.json = parser.isSet(json);
        return CliParse{o, {}, ExitOk};
    }
    if (!parser.isSet(headless)) {
        for (const auto *opt :
             {&scenario, &param, &seed, &timeout, &stats, &png, &speedupPng, &json, &trace, &csv})
            if (parser.isSet(*opt))
                return fail(QStringLiteral("--%1 needs --headless").arg(opt->names().constFirst()));
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
            return fail(QStringLiteral("--seed '%1' is not a whole number from 0 to %2")
                            .arg(parser.value(seed))
                            .arg(std::numeric_limits<qulonglong>::max()));
    } else {
        o.seed = QRandomGenerator::global()->generate64();
    }
    if (parser.isSet(timeout)) {
        bool ok = false;
        o.timeoutSeconds = parser.value(timeout).toDouble(&ok);
        if (!ok || !(o.timeoutSeconds > 0) || o.timeoutSeconds > 86400)
            return fail(QStringLiteral("--timeout '%1' must be a number of seconds from "
                                       "0.001 to 86400")
                            .arg(parser.value(timeout)));
    }
    if (const QString problem = takeOutputs(parser, o, stats, png, trace, csv); !problem.isEmpty())
        return fail(problem);
    o.speedupPngPath = parser.value(speedupPng);
    if (parser.isSet(speedupPng)) {
        if (info.id != "amdahl")
            return fail(QStringLiteral("--speedup-png: scenario '%1' has no speedup chart "
                                       "(only amdahl has)")
                            .arg(id));
        if (o.speedupPngPath.isEmpty() || o.speedupPngPath == QLatin1String("-"))
            return fail(QStringLiteral("--speedup-png needs a file name"));
    }
    return checkOutputs(o);
}
