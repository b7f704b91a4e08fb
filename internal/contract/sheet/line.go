package sheet

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Line is one row of a vendor file, normalized.
type Line struct {
	Line        int
	ItemNumber  string
	Description string
	UOM         string
	Price       decimal.Decimal
	Currency    string
	Start       *time.Time
	End         *time.Time
	Contract    string
}

// Extract normalizes row by mapping m: the item number and unit are
// required, the price must be a non-negative number, dates must read as
// dates and the end must not precede the start. The first problem found
// is returned as a *RowError naming the column.
func Extract(row Row, m Mapping, units *Units) (Line, error) {
	l := Line{Line: row.Line, Currency: "USD"}
	fail := func(col int, reason string) (Line, error) {
		return Line{}, &RowError{Line: row.Line, Column: ColumnName(col), Reason: reason}
	}
	for i, f := range m {
		if f == FieldIgnore {
			continue
		}
		v := ""
		if i < len(row.Cells) {
			v = strings.TrimSpace(row.Cells[i])
		}
		switch f {
		case FieldItem:
			if v == "" {
				return fail(i, "the item number is empty")
			}
			l.ItemNumber = v
		case FieldDescription:
			l.Description = v
		case FieldUOM:
			code, err := units.Normalize(v)
			if err != nil {
				return fail(i, err.Error())
			}
			l.UOM = code
		case FieldPrice:
			p, err := ParsePrice(v)
			if err != nil {
				return fail(i, err.Error())
			}
			l.Price = p
		case FieldCurrency:
			if v != "" {
				c := strings.ToUpper(v)
				if len(c) != 3 || strings.IndexFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
					return fail(i, "the currency "+quote(v)+" is not a three-letter code such as USD")
				}
				l.Currency = c
			}
		case FieldStart, FieldEnd:
			if v == "" {
				continue
			}
			d, err := ParseDate(v)
			if err != nil {
				return fail(i, err.Error())
			}
			if f == FieldStart {
				l.Start = &d
			} else {
				l.End = &d
			}
		case FieldContract:
			l.Contract = v
		}
	}
	if l.Start != nil && l.End != nil && l.End.Before(*l.Start) {
		return fail(m.Column(FieldEnd), "the line expires before it takes effect")
	}
	return l, nil
}
