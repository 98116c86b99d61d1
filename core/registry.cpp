#include "registry.h"

namespace il {

const std::vector<std::unique_ptr<Scenario>> &scenarios()
{
    static const auto all = [] {
        std::vector<std::unique_ptr<Scenario>> v;
        v.push_back(make_async_scenario());
        v.push_back(make_processes_scenario());
        v.push_back(make_threads_scenario());
        v.push_back(make_pool_scenario());
        v.push_back(make_parallelism_scenario());
        v.push_back(make_race_scenario());
        v.push_back(make_mutex_scenario());
        v.push_back(make_condvar_scenario());
        v.push_back(make_semaphore_scenario());
        v.push_back(make_philosophers_scenario());
        v.push_back(make_peterson_scenario());
        v.push_back(make_spinlock_scenario());
        v.push_back(make_amdahl_scenario());
        return v;
    }();
    return all;
}

const Scenario *find_scenario(std::string_view id)
{
    for (const auto &s : scenarios())
        if (s->info().id == id)
            return s.get();
    return nullptr;
}

} // namespace il
