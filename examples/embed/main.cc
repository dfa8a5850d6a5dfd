// The smallest program that embeds reagent: it links reagent::reagent from an installed
// package and uses the core types. Later layers' headers come from the same package.
#include <cstdio>

#include "reagent/core/clock.h"
#include "reagent/core/message.h"
#include "reagent/core/status.h"
#include "reagent/core/version.h"

int main() {
  reagent::ManualClock clock;
  clock.Advance(reagent::Seconds(2));
  reagent::Message m = reagent::Message::User("hello from an embedding application");
  nlohmann::json j = m;
  reagent::Status s = reagent::Status::Ok();
  std::printf("reagent %s embedded: %s, clock at %.1f s, status %s\n", REAGENT_VERSION,
              j.dump().c_str(), reagent::ToSeconds(clock.Now().time_since_epoch()),
              s.ToString().c_str());
  return s.ok() ? 0 : 1;
}
