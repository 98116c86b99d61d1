#include "runcontroller.h"

#include "ringpool.h"

RunController::RunController(QObject *parent)
    : QObject(parent)
    , m_timeline(std::make_unique<il::Timeline>())
{
    m_timer.setInterval(16);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &RunController::poll);
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
    const bool done = m_run->finished(); // before take(): then the take gets the rest
    m_run->take(m_batch);                // the same Batch every frame: its buffers are reused
    const bool grew = !m_batch.empty() || m_batch.droppedTotal != m_timeline->dropped();
    m_timeline->apply(m_batch);
    if (!done) {
        if (grew)
            emit updated();
        return;
    }
    m_timer.stop();
    m_result = m_run->result();
    m_lastElapsedNs = m_result->durationNs;
    m_timeline->close(m_result->durationNs);
    m_run.reset(); // joins the (already finished) run thread
    emit updated();
    emit finished();
}
