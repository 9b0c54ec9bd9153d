// Every distribution and probability of the reference behaviour, in one place. The README quotes
// these numbers and the unit tests check them statistically; change them here only.
#pragma once

#include "random.hpp"

namespace thelook::dist {

inline const Categorical kGender{{"M", "F"}, {0.5, 0.5}};
inline constexpr int kAgeMin = 12;
inline constexpr int kAgeMax = 70;

inline const Categorical kUserTrafficSource{{"Search", "Organic", "Facebook", "Email", "Display"},
                                            {0.70, 0.15, 0.06, 0.05, 0.04}};

// num_of_items of an order.
inline const Categorical kItemsPerOrder{{"1", "2", "3", "4"}, {0.70, 0.20, 0.05, 0.05}};
inline constexpr int kQuantityMin = 1;
inline constexpr int kQuantityMax = 3;

// Order lifecycle (one step per update).
inline constexpr double kProcessingToCancelled = 0.05;  // otherwise Shipped
inline constexpr double kDeliveredToReturned = 0.02;    // otherwise stays Delivered

// Order timeline of the bulk functions and the back-fill (order_timeline.hpp): an order's whole
// future is drawn when it is created, with realistic delays, then read "as of" a time. Each
// delay is uniform between its bounds.
//  - Processing -> Cancelled with kProcessingToCancelled (above), kCancelDelay* after creation;
//  - otherwise Processing -> Shipped kShipDelay* after creation (hours to 3 days);
//  - Shipped -> Delivered kDeliveryDelay* after shipping (1 to 7 days);
//  - Delivered -> Returned with kReturnProbability, kReturnDelay* after delivery (within weeks).
// The live loop's kDeliveredToReturned is per lifecycle step, and a Delivered order stays open,
// so its returned share keeps growing with the number of steps; a timeline decides once per
// order instead, and 10 % is about the returned share of theLook's public data set.
inline constexpr double kCancelDelayMinHours = 0.25;
inline constexpr double kCancelDelayMaxHours = 48.0;
inline constexpr double kShipDelayMinHours = 2.0;
inline constexpr double kShipDelayMaxHours = 72.0;
inline constexpr double kDeliveryDelayMinDays = 1.0;
inline constexpr double kDeliveryDelayMaxDays = 7.0;
inline constexpr double kReturnProbability = 0.10;
inline constexpr double kReturnDelayMinDays = 2.0;
inline constexpr double kReturnDelayMaxDays = 28.0;

// Back-fill: users held in memory as possible buyers (a uniform sample once full), and how many
// existing users of the table are loaded as buyers.
inline constexpr size_t kBackfillUserPoolMax = 500000;
inline constexpr size_t kBackfillExistingUsersMax = 200000;

// Web sessions.
inline const Categorical kBrowser{{"Chrome", "Safari", "Firefox", "Edge", "IE", "Other"},
                                  {0.45, 0.20, 0.15, 0.10, 0.05, 0.05}};
inline const Categorical kSessionTrafficSource{{"Email", "Adwords", "YouTube", "Facebook", "Organic"},
                                               {0.45, 0.30, 0.10, 0.10, 0.05}};
// Purchase session: three draws with replacement from these pages, duplicates dropped, then
// cart and purchase.
inline constexpr const char* kBrowsePages[] = {"home", "department", "product"};
inline constexpr int kBrowseDraws = 3;
// Event times: event i of n (0-based) is (n - i + 1) * kEventSpacingSeconds plus a jitter of
// kJitterMin..kJitterMax seconds before the session's end; the last event is at the end.
inline constexpr int kEventSpacingSeconds = 20;
inline constexpr int kJitterMinSeconds = 1;
inline constexpr int kJitterMaxSeconds = 9;

// Anonymous ("ghost") sessions: 3..6 events. The reference draws them from
// {home, department, category, product, cancel, purchase, return}, so anonymous visitors
// "purchase" and "return" things. We model browsing instead: pages from kGhostPages, and with
// kGhostCartProbability the session ends with an abandoned cart.
inline constexpr int kGhostEventsMin = 3;
inline constexpr int kGhostEventsMax = 6;
inline const Categorical kGhostPages{{"home", "department", "category", "product"},
                                     {0.20, 0.25, 0.25, 0.30}};
inline constexpr double kGhostCartProbability = 0.25;

// Traffic profiles (scenario section "traffic", src/core/traffic.hpp). The intensity at simulated
// time t is avg_qps * m(t) with m(t) = hourly[bin(t)] * weekly[day(t)] * open(t) / Z, read in the
// scenario's time zone; Z is the mean of hourly * weekly over the open minutes of a week, so that
// avg_qps is the long-run average rate while the shop is open. Days are Monday first.
// "retail": an online shop's day, quiet at night, a lunch peak and a larger evening peak (20:00),
// busier Fridays and weekends, weekend days starting later with higher evenings; always open.
inline constexpr double kRetailHourly[24] = {0.35, 0.22, 0.15, 0.12, 0.12, 0.18, 0.35, 0.60,
                                             0.85, 1.00, 1.10, 1.25, 1.45, 1.35, 1.15, 1.10,
                                             1.15, 1.30, 1.50, 1.75, 1.90, 1.70, 1.20, 0.70};
inline constexpr double kRetailHourlyWeekend[24] = {0.45, 0.30, 0.18, 0.12, 0.10, 0.12, 0.20, 0.35,
                                                    0.60, 0.85, 1.05, 1.20, 1.35, 1.35, 1.30, 1.30,
                                                    1.35, 1.50, 1.80, 2.10, 2.30, 2.10, 1.50, 0.90};
inline constexpr double kRetailWeekly[7] = {0.95, 0.95, 1.00, 1.00, 1.10, 1.15, 1.10};
// "business_hours": a shop open Mon-Fri 08:00-20:00 and Sat 10:00-18:00, closed on Sunday, with a
// lunch-time peak.
inline constexpr double kBusinessHourly[24] = {1, 1, 1, 1, 1, 1, 1, 1, 0.80, 0.95, 1.05, 1.20,
                                               1.40, 1.25, 1.00, 0.95, 0.95, 1.00, 0.90, 0.75,
                                               1, 1, 1, 1};
inline constexpr double kBusinessWeekly[7] = {1.00, 1.00, 1.00, 1.00, 1.05, 0.90, 1.00};

// Incidents (scenario sections "incidents" and "random_incidents"): after an outage, pent-up demand
// comes back at kRecoveryMagnitude times the normal rate for as long as the outage lasted (so half
// of the lost arrivals are made up), unless the incident says otherwise.
inline constexpr double kRecoveryMagnitude = 1.5;
inline constexpr double kDefaultSpikeMagnitude = 3.0;
inline constexpr double kDefaultSlumpMagnitude = 0.5;

// Shoppers (scenario section "shoppers"): with "popularity" given, the probability that a buyer's
// product is of the buyer's department (theLook's public data set draws within it, i.e. 1).
inline constexpr double kDefaultGenderAffinity = 0.9;

// Inventory (scenario section "inventory"): a product whose available level falls below
// kRestockMinimum is restocked with kRestockQuantity items after a lead time uniform in
// [kLeadTimeMinSeconds, kLeadTimeMaxSeconds]. (The initial stock, uniform in [5, 30] per product
// as theLook's public data set has about 17 items per product, is generate_inventory_items' in
// src/sql/30_setup.sql.)
inline constexpr int kRestockMinimum = 3;
inline constexpr int kRestockQuantity = 20;
inline constexpr double kLeadTimeMinSeconds = 86400;       // 1 day
inline constexpr double kLeadTimeMaxSeconds = 7 * 86400;   // 7 days

// Defaults of the live loop (reference values).
inline constexpr double kDefaultAvgQps = 20.0;
inline constexpr double kDefaultUserCreateProb = 0.05;
inline constexpr double kDefaultUserUpdateProb = 0.1;
inline constexpr double kDefaultOrderUpdateProb = 0.4;
inline constexpr double kDefaultGhostCreateProb = 0.2;
inline constexpr int kMaxConsecutiveFailures = 3;

}  // namespace thelook::dist
