#pragma once
#include "scenario.h"

#include <memory>
#include <string_view>
#include <vector>

namespace il {

// Every scenario, in catalogue order. The GUI, the command line and the tests all
// iterate this list; adding a scenario is one file plus one line in registry.cpp.
const std::vector<std::unique_ptr<Scenario>> &scenarios();
const Scenario *find_scenario(std::string_view id);

std::unique_ptr<Scenario> make_async_scenario();
std::unique_ptr<Scenario> make_processes_scenario();
std::unique_ptr<Scenario> make_threads_scenario();
std::unique_ptr<Scenario> make_pool_scenario();
std::unique_ptr<Scenario> make_parallelism_scenario();
std::unique_ptr<Scenario> make_race_scenario();
std::unique_ptr<Scenario> make_mutex_scenario();
std::unique_ptr<Scenario> make_condvar_scenario();
std::unique_ptr<Scenario> make_semaphore_scenario();
std::unique_ptr<Scenario> make_philosophers_scenario();
std::unique_ptr<Scenario> make_peterson_scenario();
std::unique_ptr<Scenario> make_spinlock_scenario();
std::unique_ptr<Scenario> make_amdahl_scenario();

} // namespace il
