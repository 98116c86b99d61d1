#include "runcontroller.h"

#include "params.h"
#include "registry.h"
#include "ringpool.h"
#include "schedslice.h"

#include <algorithm>
#include <utility>

RunController::RunController(QObject *parent)
    : QObject(parent)
    , m_timeline(std::make_unique<il::Timeline>())
{
    m_timer.setInterval(16);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RunController::poll);
    // Made on the GUI thread: it wakes for every frame and must not then wait ~100 ms
    // behind 64 busy scenario threads.
    il::request_short_slices(kGuiSlice);
    // Rings for up to 8 lanes at full size (48 MiB): every default run's lanes.
    m_prewarm = std::jthread([] {
        il::RingPool::instance().prewarm(8, il::Recorder::kDefaultRingCapacity);
        il::Collector::prewarm();
    });
}

RunController::~RunController() = default; // ~Run stops and joins the scenario

bool RunController::start(const il::Scenario &scenario, const il::ParamValues &params,
                          std::uint64_t seed)
{
    if (m_run)
        return false;
    m_scenario = &scenario;
    m_params = params;
    m_seed = seed;
    m_result.reset();
    m_loadedInfo.reset();
    m_filePath.clear();
    m_lastElapsedNs = 0;
    for (auto &batch : m_backlog) // a previous run's leftovers (stopped while behind)
        m_spare.push_back(std::move(batch));
    m_backlog.clear();
    m_next = 0;
    m_tookLast = false;
    m_lastRefresh = {};
    // The old timeline outlives the `started` handlers, which hand the views the new one.
    const std::unique_ptr<il::Timeline> old =
        std::exchange(m_timeline, std::make_unique<il::Timeline>());
    m_timeline->set_memory_budget(m_memoryBudget);
    // A deadlock stays on screen until the user presses Stop.
    il::RunOptions options{false};
    options.maxBacklogEvents = il::collector_backlog_for_budget(m_memoryBudget);
    m_run = std::make_unique<il::Run>(scenario, params, seed, options);
    m_timer.start();
    emit started();
    return true;
}

bool RunController::adopt(LoadedRun run)
{
    if (m_run || !run.timeline)
        return false;
    m_scenario = run.info.scenario.empty() ? nullptr : il::find_scenario(run.info.scenario);
    // What the sliders can show: the scenario's defaults, overridden by the file's
    // values for the parameters it knows, clamped to their ranges. The file's own
    // values stay in the info, untouched, for saving it again.
    m_params.clear();
    if (m_scenario) {
        m_params = il::default_params(m_scenario->info());
        for (const il::ParamSpec &spec : m_scenario->info().params)
            if (const auto v = run.info.params.find(spec.key); v != run.info.params.end())
                m_params[spec.key] = std::clamp(v->second, spec.min, spec.max);
    }
    m_seed = run.info.seed;
    m_result = il::result_from_stats(run.info.stats);
    m_lastElapsedNs = m_result->durationNs > 0 ? m_result->durationNs : run.timeline->end_ns();
    // The old timeline outlives the `loaded` handlers, which hand the views the new one.
    const std::unique_ptr<il::Timeline> old = std::exchange(m_timeline, std::move(run.timeline));
    m_loadedInfo = std::move(run.info);
    m_filePath = run.path;
    emit loaded();
    return true;
}

std::optional<il::RunInfo> RunController::runInfo() const
{
    if (!hasRunInfo())
        return std::nullopt;
    if (m_loadedInfo)
        return m_loadedInfo;
    return il::make_run_info(m_scenario->info(), m_params, m_seed, *m_result, *m_timeline);
}

void RunController::stop()
{
    if (m_run)
        m_run->request_stop(il::StopReason::User);
}

qint64 RunController::elapsedNs() const
{
    return m_run ? m_run->elapsed_ns() : m_lastElapsedNs;
}

void RunController::poll()
{
    if (!m_run)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!m_tookLast) {
        const bool done = m_run->finished(); // before the take: then the take gets the rest
        if (m_spare.empty())
            m_spare.emplace_back();
        // The collector may be handing a drain over just now: then the next frame takes.
        if (m_run->try_take(m_spare.back())) {
            m_tookLast = done;
            m_backlog.push_back(std::move(m_spare.back()));
            m_spare.pop_back();
        }
    }
    // Behind since the last frame: the views wait (below), so applying takes most of the
    // frame. With 4 ms a frame, a 4-thread mutex run of 10 M increments each (80 M events
    // in ~2 s) was shown in full 7-8 s after it ended; with this, 1-2 s.
    const bool behind = m_next > 0 || m_backlog.size() > 1;
    const bool grew = applySlices(now + (behind ? kBehindApplyBudget : kApplyBudget));
    if (m_backlog.empty() && m_tookLast) {
        finishRun();
        return;
    }
    // Caught up: the live edge moves to now, so that a thread blocked with nothing
    // happening (a deadlock) is drawn blocked for longer and longer.
    bool moved = false;
    if (m_backlog.empty() && now - m_lastRefresh >= kIdleRefresh) {
        const std::int64_t before = m_timeline->end_ns();
        m_timeline->advance(m_run->elapsed_ns());
        moved = m_timeline->end_ns() != before;
    }
    // Behind (a backlog left for the next frames): the views wait, so that applying
    // gets the frames' time.
    if ((grew && (m_backlog.empty() || now - m_lastRefresh >= kBehindRefresh)) || moved) {
        m_lastRefresh = now;
        emit updated();
    }
}

bool RunController::applySlices(std::chrono::steady_clock::time_point deadline)
{
    bool grew = false;
    while (!m_backlog.empty()) {
        il::Batch &batch = m_backlog.front();
        const auto &events = batch.events;
        // A slice: the names with the first, the deadlock with the last.
        const std::size_t end = std::min(events.size(), m_next + kSliceEvents);
        const bool first = m_next == 0;
        const bool last = end == events.size();
        if (first)
            grew = grew || !batch.empty() || batch.droppedTotal != m_timeline->dropped();
        m_slice.newLanes.clear();
        m_slice.newResources.clear();
        if (first) {
            m_slice.newLanes.swap(batch.newLanes);
            m_slice.newResources.swap(batch.newResources);
        }
        m_slice.events.assign(events.begin() + std::ptrdiff_t(m_next),
                              events.begin() + std::ptrdiff_t(end));
        m_slice.droppedTotal = batch.droppedTotal;
        m_slice.deadlock.reset();
        if (last)
            m_slice.deadlock = batch.deadlock;
        m_timeline->apply(m_slice);
        grew = grew || end > m_next;
        m_next = end;
        if (last) {
            m_next = 0;
            if (m_spare.size() < kSpareBatches) // a long backlog's buffers go back
                m_spare.push_back(std::move(batch));
            m_backlog.pop_front();
        }
        if (std::chrono::steady_clock::now() >= deadline)
            break;
    }
    return grew;
}

void RunController::finishRun()
{
    m_timer.stop();
    m_result = m_run->result();
    m_lastElapsedNs = m_result->durationNs;
    m_timeline->close(m_result->durationNs);
    m_run.reset(); // joins the (already finished) run thread
    emit updated();
    emit finished();
}
