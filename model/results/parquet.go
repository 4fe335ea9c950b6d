package results

import (
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// parquetRow is one row of replications.parquet: the replications.csv
// table with the same column names and order, the metric columns optional
// (null where the CSV cell is empty). TestParquetColumnsMatchCSV keeps the
// two in step.
type parquetRow struct {
	Variant               string   `parquet:"variant,dict"`
	Replication           int64    `parquet:"replication"`
	Service               string   `parquet:"service,dict"`
	TimeToRecoverH        *float64 `parquet:"time_to_recover_h,optional"`
	OutageH               *float64 `parquet:"outage_h,optional"`
	UserHoursLost         *float64 `parquet:"user_hours_lost,optional"`
	RequestsLost          *float64 `parquet:"requests_lost,optional"`
	RevenueLost           *float64 `parquet:"revenue_lost,optional"`
	DataLostS             *float64 `parquet:"data_lost_s,optional"`
	AllServicesRecoveredH *float64 `parquet:"all_services_recovered_h,optional"`
	HardwareCost          *float64 `parquet:"hardware_cost,optional"`
	Loss                  *float64 `parquet:"loss,optional"`
}

// metricPtrs returns pointers to r's metric fields in csvMetrics order.
func (r *parquetRow) metricPtrs() []**float64 {
	return []**float64{&r.TimeToRecoverH, &r.OutageH, &r.UserHoursLost, &r.RequestsLost, &r.RevenueLost,
		&r.DataLostS, &r.AllServicesRecoveredH, &r.HardwareCost, &r.Loss}
}

// WriteParquet writes c's rows to path (a replications.parquet)
// atomically: the replications.csv table, with the same columns, rows and
// order, snappy-compressed, the metric columns nullable doubles.
func WriteParquet(path string, c *Collector) error {
	return WriteAtomic(path, c.WriteParquet)
}

// WriteParquet writes c's rows as Parquet to w; see the package-level
// WriteParquet.
func (c *Collector) WriteParquet(w io.Writer) error {
	pw := parquet.NewGenericWriter[parquetRow](w, parquet.Compression(&snappy.Codec{}))
	const batch = 4096
	rows := make([]parquetRow, 0, batch)
	vals := make([]float64, 0, batch*len(csvMetrics))
	flush := func() error {
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		rows, vals = rows[:0], vals[:0]
		return nil
	}
	base := len(c.services) * nService
	src := c.rows()
	for i := range c.n {
		all, at := src.at(i)
		for v, variant := range c.variants {
			cols := all[v]
			for s := 0; s <= len(c.services); s++ {
				if len(rows) == batch {
					if err := flush(); err != nil {
						return err
					}
				}
				r := parquetRow{Variant: variant, Replication: int64(c.first + i), Service: OverallService}
				if s < len(c.services) {
					r.Service = c.services[s]
				}
				for j, p := range r.metricPtrs() {
					k := -1
					if s < len(c.services) {
						if m := csvService[j]; m >= 0 {
							k = s*nService + m
						}
					} else if m := csvOverall[j]; m >= 0 {
						k = base + m
					}
					if k >= 0 {
						vals = append(vals, cols[k][at])
						*p = &vals[len(vals)-1]
					}
				}
				rows = append(rows, r)
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return pw.Close()
}
