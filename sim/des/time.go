// Package des is fleetsim's discrete-event kernel: integer simulated time, a
// typed event queue ordered by (time, sequence), cancellable timers and named
// random streams derived from one seed. It knows nothing of ECS.
package des

import "time"

// Time is simulated time: nanoseconds since the scenario's start, the unit of
// time.Duration, so scenario durations such as "5m" convert exactly. Calendar
// time exists only at the edges, as start.Add(t.Duration()).
type Time int64

// Never is a time later than any event; Run(Never) runs until the queue empties.
const Never Time = 1<<63 - 1

// At converts a duration since the start into a Time.
func At(d time.Duration) Time { return Time(d) }

// Duration returns t as the time.Duration since the start.
func (t Time) Duration() time.Duration { return time.Duration(t) }

// Minutes returns the whole minutes since the start (floor).
func (t Time) Minutes() int64 { return int64(t) / int64(time.Minute) }

// String formats t as a duration since the start ("1h2m3s").
func (t Time) String() string { return time.Duration(t).String() }
