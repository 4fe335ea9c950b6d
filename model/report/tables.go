package report

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Table is a section of its own: a heading, columns and rows of cells,
// and a note under it. Reports whose content the fixed sections do not
// fit (dcsim risk's AAL and exceedance tables) use it; tables come right
// after the headline, in order.
type Table struct {
	Heading string
	// Class names the table (its class attribute), e.g. "aal".
	Class   string
	Columns []Column
	Rows    []Row
	Note    string
}

// Column is a table column; Numeric columns are right-aligned.
type Column struct {
	Label   string
	Numeric bool
}

// Row is one table row; Key, when set, is its data-row attribute.
type Row struct {
	Key   string
	Cells []Cell
}

// Cell is text, or a number marked with its metric key (Metric set). A
// cell with HasCI shows a mean and, under it, its 95% interval when the
// interval contains the mean; Metric is then a prefix: the numbers' keys
// are Metric+".mean", ".ci95_lo" and ".ci95_hi".
type Cell struct {
	Text   string
	Metric string
	Value  float64
	Lo, Hi float64
	HasCI  bool
}

// TextCell is a cell of text.
func TextCell(s string) Cell { return Cell{Text: s} }

// NumCell is a number marked with its metric key.
func NumCell(metric string, v float64) Cell { return Cell{Metric: metric, Value: v} }

// CICell is a mean with its 95% interval, keyed PREFIX.mean,
// PREFIX.ci95_lo and PREFIX.ci95_hi.
func CICell(metric string, mean, lo, hi float64) Cell {
	return Cell{Metric: metric, Value: mean, Lo: lo, Hi: hi, HasCI: true}
}

type tableView struct {
	Heading, Class, Note string
	Columns              []Column
	Rows                 []rowView
}

type rowView struct {
	Key   string
	Cells []cellView
}

type cellView struct {
	Text    string
	Numeric bool
	Num     *num
	Lo, Hi  *num
}

func newTableView(t Table) (tableView, error) {
	tv := tableView{Heading: t.Heading, Class: t.Class, Note: t.Note, Columns: t.Columns}
	for i, r := range t.Rows {
		if len(r.Cells) != len(t.Columns) {
			return tv, fmt.Errorf("report: table %q row %d has %d cells for %d columns", t.Heading, i, len(r.Cells), len(t.Columns))
		}
		rv := rowView{Key: r.Key}
		for j, c := range r.Cells {
			cv := cellView{Text: c.Text, Numeric: t.Columns[j].Numeric}
			switch {
			case c.Metric != "" && c.HasCI:
				ci := mkCI(c.Metric, c.Value, c.Lo, c.Hi)
				cv.Num, cv.Lo, cv.Hi = ci.Mean, ci.Lo, ci.Hi
			case c.Metric != "":
				cv.Num = mkNum(c.Metric, c.Value)
			}
			rv.Cells = append(rv.Cells, cv)
		}
		tv.Rows = append(tv.Rows, rv)
	}
	return tv, nil
}

// FromPlot is a chart drawn by a gonum plot that build returns, at
// widthIn × heightIn inches: for charts drawn outside this package
// (dcsim risk's exceedance curves, tornadoes, Sobol indices). build is
// called at each drawing; its plot should depend only on fixed-size
// summaries, so the chart's size does not grow with the data.
func FromPlot(title string, widthIn, heightIn float64, build func() (*plot.Plot, error)) Chart {
	c := newChart(title, func(vg.Length, vg.Length) (*figure, error) {
		p, err := build()
		if err != nil {
			return nil, err
		}
		return &figure{p: p}, nil
	})
	c.WidthIn, c.HeightIn = widthIn, heightIn
	return c
}
