package sheet

import (
	"strings"
	"unicode"
)

// Field is a contract line's attribute a column can hold.
type Field string

// The fields of a contract line.
const (
	FieldItem        Field = "vendor_item_number"
	FieldDescription Field = "description"
	FieldUOM         Field = "uom"
	FieldPrice       Field = "price"
	FieldCurrency    Field = "currency"
	FieldStart       Field = "effective_start"
	FieldEnd         Field = "effective_end"
	FieldContract    Field = "contract_number"
	// FieldIgnore marks a column the import skips.
	FieldIgnore Field = ""
)

// Fields lists every field in the order a preview shows them.
var Fields = []Field{FieldItem, FieldDescription, FieldUOM, FieldPrice, FieldCurrency, FieldStart, FieldEnd, FieldContract}

// Required are the fields a mapping must name.
var Required = []Field{FieldItem, FieldUOM, FieldPrice}

// synonyms are header texts, reduced by headerKey, that name each field.
var synonyms = map[Field][]string{
	FieldItem: {"item", "itemno", "itemnumber", "itemnum", "itemid", "itemcode", "part", "partno", "partnumber", "partnum",
		"sku", "vendorpartno", "vendorpartnumber", "vendoritem", "vendoritemno", "vendoritemnumber", "vendorsku",
		"mfrpartno", "mfrpartnumber", "mfgpartno", "mfgpartnumber", "manufacturerpartno", "manufacturerpartnumber", "mpn",
		"catalogno", "catalognumber", "catno", "productcode", "productno", "productnumber", "productid",
		"supplierpartno", "supplierpartnumber", "suppliersku", "supplieritem", "articleno", "articlenumber", "materialno", "materialnumber"},
	FieldDescription: {"description", "desc", "itemdescription", "itemdesc", "productdescription", "productname", "itemname",
		"name", "partdescription", "product", "descr"},
	FieldUOM: {"uom", "um", "unit", "units", "unitofmeasure", "unitofmeasurement", "unitmeasure", "salesuom", "priceuom",
		"pricingunit", "sellunit", "uofm", "measure", "packunit", "pricingum"},
	FieldPrice: {"price", "netprice", "unitprice", "unitcost", "cost", "contractprice", "yourprice", "customerprice", "sellprice",
		"priceeach", "netcost", "dealerprice", "pricing", "amount", "netunitprice", "contractcost", "each", "priceper"},
	FieldCurrency: {"currency", "curr", "currencycode", "ccy", "cur"},
	FieldStart: {"effdate", "effectivedate", "effective", "effectivestart", "effectivefrom", "startdate", "start", "validfrom",
		"from", "begindate", "begin", "effdt", "priceeffective", "pricedate"},
	FieldEnd: {"expires", "expiry", "expiration", "expirationdate", "expirydate", "expdate", "enddate", "end", "validto",
		"validuntil", "validthru", "effectiveend", "effectiveto", "to", "thru", "through", "until"},
	FieldContract: {"contract", "contractno", "contractnumber", "contractid", "agreement", "agreementno", "agreementnumber",
		"contractref", "pricelist", "quoteno", "quotenumber"},
}

var synonymField = func() map[string]Field {
	m := map[string]Field{}
	for f, names := range synonyms {
		for _, n := range names {
			m[n] = f
		}
	}
	return m
}()

// headerKey reduces a header cell to letters and digits, with '#' read as
// "no": "Mfr Part #" → "mfrpartno", "U/M" → "um", "Eff. Date" → "effdate".
func headerKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '#':
			b.WriteString("no")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FieldFor returns the field a header cell names, or FieldIgnore.
func FieldFor(header string) Field {
	k := headerKey(header)
	if f, ok := synonymField[k]; ok {
		return f
	}
	for _, suffix := range []string{"number", "num", "nbr"} {
		if base, cut := strings.CutSuffix(k, suffix); cut {
			if f, ok := synonymField[base+"no"]; ok {
				return f
			}
		}
	}
	return FieldIgnore
}

// HeaderScanRows is how far down a file the header is looked for.
const HeaderScanRows = 30

// Mapping assigns a field to each column of the header, by index;
// FieldIgnore for a column the import skips.
type Mapping []Field

// DetectHeader finds the header among the first rows: the first row that
// names the most fields (at least two, one of them the item or the price),
// so title lines, addresses and blank lines above it are passed over. It
// returns the row's index in rows and the mapping its names propose; ok is
// false when no row looks like a header.
func DetectHeader(rows []Row) (index int, m Mapping, ok bool) {
	best := -1
	for i, r := range rows {
		if i >= HeaderScanRows {
			break
		}
		prop := Propose(r.Cells)
		n, key := 0, false
		for _, f := range prop {
			if f != FieldIgnore {
				n++
				key = key || f == FieldItem || f == FieldPrice
			}
		}
		if n >= 2 && key && n > best {
			best, index, m = n, i, prop
		}
	}
	return index, m, best > 0
}

// Propose maps each header cell to the field it names; when two cells
// name the same field the first keeps it.
func Propose(header []string) Mapping {
	m := make(Mapping, len(header))
	taken := map[Field]bool{}
	for i, h := range header {
		f := FieldFor(h)
		if f != FieldIgnore && !taken[f] {
			m[i], taken[f] = f, true
		}
	}
	return m
}

// Missing returns the required fields m does not map.
func (m Mapping) Missing() []Field {
	var out []Field
	for _, f := range Required {
		if m.Column(f) < 0 {
			out = append(out, f)
		}
	}
	return out
}

// Column returns the column holding f, or -1.
func (m Mapping) Column(f Field) int {
	for i, g := range m {
		if g == f {
			return i
		}
	}
	return -1
}

// Valid reports whether f names a field (or FieldIgnore).
func (f Field) Valid() bool {
	if f == FieldIgnore {
		return true
	}
	for _, g := range Fields {
		if g == f {
			return true
		}
	}
	return false
}
