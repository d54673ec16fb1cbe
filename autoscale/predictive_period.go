package autoscale

import "time"

// HighResolutionPeriod is the period of ECS's high-resolution utilization
// metrics. AWS (ECS Developer Guide, "Faster auto scaling with
// high-resolution metrics"; Application Auto Scaling API,
// PredefinedMetricSpecification): ECS publishes CPUUtilization and
// MemoryUtilization at 60-second resolution by default and at 20-second
// resolution when configured; the predefined metric types
// ECSServiceAverageCPUUtilizationHighResolution and
// ECSServiceAverageMemoryUtilizationHighResolution are their 20-second
// versions, for "target tracking scaling policies that evaluate metrics
// every 20 seconds".
//
// The alarms' shapes at 20 s are not documented. Observed: the datapoint
// counts stay (3 for scale-out, 15 for scale-in: DefaultHighDatapoints,
// DefaultLowDatapoints), each datapoint 20 s long, so the scale-out alarm
// needs one minute of breaching data instead of three; AWS's launch
// benchmark (scale-out triggered after 86 s instead of 363 s) fits that.
// The policies themselves are unchanged: they count datapoints, whatever
// their period.
const HighResolutionPeriod = 20 * time.Second
