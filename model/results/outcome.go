// Package results implements dcsim's results contract (see results/README.md
// at the top of the repository): per-replication outcomes, their summary,
// and the files a run writes — manifest.json, summary.json,
// replications.csv and overall.csv, and optionally the same tables as
// replications.parquet and overall.parquet — always through a
// temporary name and a rename (WriteFileAtomic).
//
// The pieces, in the order a run uses them:
//
//   - Prepare checks and claims an output directory before any simulation
//     work and returns a Dir whose files live in a staging directory
//     (<out>.partial) until Commit.
//   - Dir.CopyInputs copies the scenario (and other inputs) in and records
//     their SHA-256 in the Manifest.
//   - A Collector keeps every replication's Outcome of every variant, in
//     replication order, compactly; it yields the Summary, the per-metric
//     Values for paired comparisons, and the tables (WriteTables).
//   - Dir.Checkpoint writes what has finished so far (complete=false);
//     Dir.Finish writes the complete results and commits them to <out>.
//   - OpenResume reloads an interrupted run (Resumed.Continue checks it is
//     the same run); Merge and MergeWith join shard directories into exactly
//     what one unsharded run would have written; Load reads any results
//     directory back.
//   - WriteTable renders the human-readable table for stdout.
//
// It imports sim but not model, so model and cmd can both use it.
package results

// ServiceMetrics names the per-service metrics, in the order of the fields
// of ServiceOutcome and of the columns of replications.csv.
var ServiceMetrics = []string{
	"time_to_recover_h", "outage_h", "user_hours_lost",
	"requests_lost", "revenue_lost", "data_lost_s",
	"data_restored_tb", "data_restore_h", "data_lost_tb", "data_lost_for_good",
}

// OverallMetrics names the whole-fleet metrics, in the order of Outcome's
// fields after Services and of the columns of overall.csv. Names say how
// they combine the services where it is not a sum: max_data_lost_s and
// all_services_recovered_h are maxima, the other per-service metrics sums.
var OverallMetrics = []string{
	"all_services_recovered_h", "user_hours_lost", "requests_lost",
	"revenue_lost", "max_data_lost_s", "hardware_cost", "loss",
	"data_restored_tb", "data_lost_tb",
}

// ServiceOutcome is what one replication measured for one service.
type ServiceOutcome struct {
	// TimeToRecoverH is the hours from the initiating event until the
	// service last returned to full service within the horizon (0 if it
	// was never impaired; the horizon if it never recovered).
	TimeToRecoverH float64
	// OutageH is the integral of (1 - serving fraction) over time: hours of
	// full-outage equivalent.
	OutageH float64
	// UserHoursLost is ∫ users(t)·(1 - f(t)) dt.
	UserHoursLost float64
	// RequestsLost is ∫ requests(t)·(1 - f(t)) dt.
	RequestsLost float64
	// RevenueLost is ∫ revenue(t)·(1 - f(t)) dt, in the scenario currency.
	RevenueLost float64
	// DataLostS is the seconds of writes lost (RPO realised) at failover
	// and by restores from backup.
	DataLostS float64
	// DataRestoredTB is the terabytes restored from backup.
	DataRestoredTB float64
	// DataRestoreH is the hours spent restoring data from backup.
	DataRestoreH float64
	// DataLostTB is the terabytes lost for good: every copy destroyed.
	DataLostTB float64
	// DataLostForGood is 1 if the data was lost for good, else 0: its mean
	// over replications is the probability.
	DataLostForGood float64
}

// Outcome is what one replication of one variant measured.
type Outcome struct {
	Services []ServiceOutcome // in scenario service order

	AllServicesRecoveredH float64 // max over services of TimeToRecoverH
	UserHoursLost         float64 // sum over services
	RequestsLost          float64 // sum over services
	RevenueLost           float64 // sum over services
	DataLostS             float64 // max over services
	HardwareCost          float64 // replacement cost of destroyed equipment
	// Loss is the money lost: revenue + value of user-hours lost +
	// compensation + hardware, in the scenario currency.
	Loss float64

	DataRestoredTB float64 // sum over services
	DataLostTB     float64 // sum over services
}

// Values returns s's metrics in ServiceMetrics order.
func (s ServiceOutcome) Values() [10]float64 {
	return [10]float64{s.TimeToRecoverH, s.OutageH, s.UserHoursLost, s.RequestsLost, s.RevenueLost, s.DataLostS,
		s.DataRestoredTB, s.DataRestoreH, s.DataLostTB, s.DataLostForGood}
}

// OverallValues returns o's whole-fleet metrics in OverallMetrics order.
func (o *Outcome) OverallValues() [9]float64 {
	return [9]float64{o.AllServicesRecoveredH, o.UserHoursLost, o.RequestsLost, o.RevenueLost, o.DataLostS, o.HardwareCost, o.Loss,
		o.DataRestoredTB, o.DataLostTB}
}
