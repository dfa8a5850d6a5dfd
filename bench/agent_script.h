// The scripted conversation of the agent benchmarks: a ReAct action, a final answer, and a
// realistic observation of a few hundred bytes of search-result text.
#pragma once

namespace reagent::bench {

inline constexpr char kAction[] =
    "Thought: I should look this up before answering, the question is specific.\n"
    "Action: lookup\nAction Input: {\"q\": \"population of Hanoi in 2024\"}";
inline constexpr char kFinal[] = "Thought: I have enough.\nFinal Answer: About 8.6 million people.";
inline constexpr char kObservation[] =
    "Hanoi, the capital of Vietnam, had an estimated population of 8.6 million in 2024 "
    "according to the General Statistics Office. The metropolitan area covers 3,359 km2 and "
    "is divided into 12 urban districts, 1 district-level town and 17 rural districts. "
    "Population density is highest in the old quarter around Hoan Kiem Lake.";

}  // namespace reagent::bench
