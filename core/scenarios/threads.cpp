#include "../registry.h"
#include "../sync.h"
#include "workers.h"

#include <atomic>
#include <chrono>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace il {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// How long the main thread's two quick steps before signing take.
constexpr milliseconds kAskName{100};
constexpr milliseconds kGetToken{100};
// Each download takes a random time in this range (drawn from the run's seed).
constexpr int kDownloadMinMs = 50;
constexpr int kDownloadMaxMs = 300;

// Label resources: a resource name is what the timeline's tooltip says a segment is about.
struct Labels {
    ResourceId startWorker, askName, getToken, signing, joinWorker, stopWorker, stoppedEarly;
    std::vector<ResourceId> fetching, downloading;

    Labels(Recorder &r, int files)
        : startWorker(r.add_resource("start url worker"))
        , askName(r.add_resource("asking for a name"))
        , getToken(r.add_resource("getting a token"))
        , signing(r.add_resource("signing"))
        , joinWorker(r.add_resource("join url worker"))
        , stopWorker(r.add_resource("stop url worker"))
        , stoppedEarly(r.add_resource("stopped early"))
    {
        for (int i = 1; i <= files; ++i) {
            fetching.push_back(r.add_resource("fetching URL " + std::to_string(i)));
            downloading.push_back(r.add_resource("downloading file " + std::to_string(i)));
        }
    }
};

class ThreadsScenario final : public Scenario {
public:
    const ScenarioInfo &info() const override
    {
        static const ScenarioInfo info{
            "threads",
            "Threads: start and join",
            "The main thread starts a worker thread to fetch the download URLs, which is "
            "slow, and meanwhile asks for a name, gets a token and signs. Only a valid "
            "signature needs the URLs: then main joins the worker, which means it waits "
            "(blocked on 'join url worker') until the worker has ended, and downloads the "
            "files one after another. Look at the main lane: if fetching takes longer than "
            "signing, the blocked bar shows the time main could not use; if fetching is "
            "quicker, the worker has already ended and the join returns at once. With an "
            "invalid signature the URLs are useless, so main asks the worker to stop "
            "instead of waiting for it, and the worker's lane ends early.",
            {ParamSpec::integer("files", "Files", 1, 20, 3),
             ParamSpec::integer("url_delay_ms", "Fetching URLs takes", 0, 15000, 4000, "ms"),
             ParamSpec::integer("sign_delay_ms", "Signing takes", 0, 5000, 500, "ms"),
             ParamSpec::integer("sign_success_percent", "Signature valid", 0, 100, 50, "%")},
            {"signed", "joined", "join_wait_ms", "files_downloaded"}};
        return info;
    }

    Json run(RunContext &ctx) const override
    {
        const int files = int(ctx.param("files"));
        const nanoseconds perUrl = milliseconds(ctx.param("url_delay_ms")) / files;
        const milliseconds signDelay(ctx.param("sign_delay_ms"));
        // Every random draw is made up front from the seed, so a seed always gives the
        // same outcome whatever the timing.
        std::mt19937_64 random(ctx.seed);
        const bool signatureValid =
            std::uniform_int_distribution<int>(0, 99)(random) < ctx.param("sign_success_percent");
        std::vector<milliseconds> downloadTimes;
        for (int i = 0; i < files; ++i)
            downloadTimes.emplace_back(
                std::uniform_int_distribution<int>(kDownloadMinMs, kDownloadMaxMs)(random));

        const Labels labels(ctx.recorder, files);
        Lane &mainLane = ctx.recorder.add_lane("main");
        Lane &workerLane = ctx.recorder.add_lane("url worker");
        std::atomic<int> urlsFetched{0};

        mainLane.state(State::Running);
        mainLane.mark(kMarkStep, labels.startWorker);
        std::jthread worker([&](std::stop_token stop) {
            lower_priority();
            fetch_urls(workerLane, labels, perUrl, stop, urlsFetched);
        });
        // The worker sleeps on its own token, which main uses to stop it; the run's Stop
        // reaches it through that token too.
        const std::stop_callback forwardStop(ctx.stop, [&worker] { worker.request_stop(); });

        const bool signedOk = step(ctx, mainLane, labels.askName, kAskName) &&
                              step(ctx, mainLane, labels.getToken, kGetToken) &&
                              step(ctx, mainLane, labels.signing, signDelay) && signatureValid;
        mainLane.state(State::Running);

        bool joined = false;
        std::int64_t joinWaitNs = 0;
        int downloaded = 0;
        if (signedOk) {
            mainLane.state(State::Blocked, labels.joinWorker);
            const std::int64_t t0 = now_ns();
            worker.join();
            joinWaitNs = now_ns() - t0;
            joined = true;
            mainLane.state(State::Running);
            // Only URLs the worker fetched can be downloaded (all, unless stopped).
            const int available = urlsFetched.load();
            for (int i = 0; i < available; ++i) {
                if (!step(ctx, mainLane, labels.downloading[std::size_t(i)],
                          downloadTimes[std::size_t(i)]))
                    break;
                ++downloaded;
                mainLane.mark(kMarkStep, labels.downloading[std::size_t(i)]);
            }
            mainLane.state(State::Running);
        } else {
            // The URLs are not needed: tell the worker to give up instead of waiting.
            if (!ctx.stop.stop_requested())
                mainLane.mark(kMarkStep, labels.stopWorker);
            worker.request_stop();
        }
        // Reaping the thread (it has been asked to stop, or has ended) is cleanup: it is not
        // the join the `joined` metric counts, which is main choosing to wait for the URLs.
        if (worker.joinable())
            worker.join();
        mainLane.state(State::Finished);

        return Json{{"signed", signedOk},
                    {"joined", joined},
                    {"join_wait_ms", double(joinWaitNs) / 1e6},
                    {"files_downloaded", downloaded}};
    }

private:
    // One of main's steps: Sleeping, labelled, for `d`. False if stopped.
    static bool step(const RunContext &ctx, Lane &lane, ResourceId label, nanoseconds d)
    {
        lane.state(State::Sleeping, label);
        return sleep_for(ctx.stop, d);
    }

    static void fetch_urls(Lane &lane, const Labels &labels, nanoseconds perUrl,
                           std::stop_token stop, std::atomic<int> &fetched)
    {
        lane.state(State::Running);
        bool all = true;
        for (const ResourceId url : labels.fetching) {
            lane.state(State::Sleeping, url);
            if (!sleep_for(stop, perUrl)) {
                all = false;
                break;
            }
            fetched.fetch_add(1);
            lane.mark(kMarkStep, url);
        }
        lane.state(State::Running);
        if (!all)
            lane.mark(kMarkStep, labels.stoppedEarly);
        lane.state(State::Finished);
    }
};

} // namespace

std::unique_ptr<Scenario> make_threads_scenario()
{
    return std::make_unique<ThreadsScenario>();
}

} // namespace il
