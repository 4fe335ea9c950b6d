package results

// The names of a results directory's files.
const (
	ManifestFile     = "manifest.json"
	SummaryFile      = "summary.json"
	ReplicationsFile = "replications.csv" // per-service rows
	OverallFile      = "overall.csv"      // whole-fleet rows
	// ParquetFile and OverallParquetFile hold the same tables as Parquet
	// (written on request).
	ParquetFile        = "replications.parquet"
	OverallParquetFile = "overall.parquet"
	// MarkerFile marks a directory as dcsim's: Prepare replaces an existing
	// output directory only if it holds this file or is empty (or force).
	MarkerFile = ".dcsim-results"
	// StagingSuffix names the staging directory: a run with output
	// directory OUT writes into OUT + StagingSuffix until Commit renames it
	// to OUT.
	StagingSuffix = ".partial"
	// OldSuffix names where Commit moves the previous OUT for the moment
	// between its two renames.
	OldSuffix = ".old"
)
