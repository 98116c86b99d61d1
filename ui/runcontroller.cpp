#include "runcontroller.h"

#include "ringpool.h"
#include "schedslice.h"

RunController::RunController(QObject *parent)
    : QObject(parent)
    , m_timeline(std::make_unique<il::Timeline>())
{
    m_timer.setInterval(16);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RunController::poll);
    // Made on the GUI thread: it wakes for every frame and must not then wait ~100 ms
    // behind 64 busy scenario threads.
    requestShortSchedulerSlices(kGuiSlice);
    m_prewarm = std::jthread(
        [] { il::RingPool::instance().prewarm(16, il::Recorder::kDefaultRingCapacity); });
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
    m_lastElapsedNs = 0;
    for (auto &batch : m_backlog) // a previous run's leftovers (stopped while behind)
        m_spare.push_back(std::move(batch));
    m_backlog.clear();
    m_next = 0;
    m_tookLast = false;
    m_lastRefresh = {};
    m_timeline = std::make_unique<il::Timeline>();
    m_timeline->set_memory_budget(m_memoryBudget);
    // A deadlock stays on screen until the user presses Stop.
    m_run = std::make_unique<il::Run>(scenario, params, seed, il::RunOptions{false});
    m_timer.start();
    emit started();
    return true;
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
    const bool grew = applySlices(now + kApplyBudget);
    if (m_backlog.empty() && m_tookLast) {
        finishRun();
        return;
    }
    // Behind (a backlog left for the next frames): the views wait, so that applying
    // gets the frames' time.
    if (grew && (m_backlog.empty() || now - m_lastRefresh >= kBehindRefresh)) {
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
