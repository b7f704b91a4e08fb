package sheet

import (
	"errors"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
)

// PriceScale is the number of decimal places a contract price keeps (the
// seed's NUMERIC(18, 4)).
const PriceScale = 4

// maxPrice bounds a price below NUMERIC(18, 4)'s 10^14.
var maxPrice = decimal.New(1, 14)

// currencyWords are the currency codes and symbols a price cell may carry
// before or after its number.
var currencyWords = []string{"USD", "US$", "CAD", "C$", "EUR", "GBP", "AUD", "A$", "MXN", "CHF", "JPY", "$", "€", "£", "¥"}

// ParsePrice reads a price as a person or a spreadsheet wrote it — "$1,234.50",
// "1.234,50 €", "1 234,5", "USD 12", "12.300000000000001" — as an exact
// decimal rounded to PriceScale places. Negative, empty and non-numeric
// prices are errors whose text says why.
func ParsePrice(s string) (decimal.Decimal, error) {
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '’' {
			return -1
		}
		return r
	}, s)
	if t == "" {
		return decimal.Decimal{}, errors.New("the price is empty")
	}
	for _, w := range currencyWords {
		if u := strings.TrimPrefix(strings.ToUpper(t), w); len(u) < len(t) {
			t = t[len(t)-len(u):]
		}
		if u := strings.TrimSuffix(strings.ToUpper(t), w); len(u) < len(t) {
			t = t[:len(u)]
		}
	}
	if strings.HasPrefix(t, "-") || (strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")")) {
		return decimal.Decimal{}, errors.New("the price is negative")
	}
	t = strings.TrimPrefix(t, "+")
	num, err := canonicalNumber(t)
	if err != nil {
		return decimal.Decimal{}, errors.New("the price " + quote(strings.TrimSpace(s)) + " is not a number")
	}
	d, err := decimal.NewFromString(num)
	if err != nil {
		return decimal.Decimal{}, errors.New("the price " + quote(s) + " is not a number")
	}
	d = d.Round(PriceScale)
	if d.GreaterThanOrEqual(maxPrice) {
		return decimal.Decimal{}, errors.New("the price " + quote(s) + " is too large")
	}
	return d, nil
}

// canonicalNumber turns digits with thousands separators and a decimal
// point or comma into "1234.50". With both '.' and ',' the last one is the
// decimal mark; a lone ',' followed by other than three digits is one too
// ("12,5" → 12.5, "1,234" → 1234); a mark repeated is a thousands
// separator ("1.234.567"). Scientific notation from spreadsheets
// ("1.5E-3") passes through.
func canonicalNumber(t string) (string, error) {
	bad := errors.New("the price " + quote(t) + " is not a number")
	if t == "" {
		return "", bad
	}
	for i, r := range t {
		ok := (r >= '0' && r <= '9') || r == '.' || r == ','
		exp := (r == 'E' || r == 'e') && i > 0
		sign := (r == '-' || r == '+') && i > 0 && (t[i-1] == 'E' || t[i-1] == 'e')
		if !ok && !exp && !sign {
			return "", bad
		}
	}
	dots, commas := strings.Count(t, "."), strings.Count(t, ",")
	lastDot, lastComma := strings.LastIndex(t, "."), strings.LastIndex(t, ",")
	switch {
	case dots > 0 && commas > 0:
		if lastComma > lastDot {
			if dots > 0 && lastComma < len(t) && commas > 1 {
				return "", bad
			}
			if !grouped(t[:lastComma], ".") {
				return "", bad
			}
			t = strings.ReplaceAll(t, ".", "")
			t = strings.Replace(t, ",", ".", 1)
		} else {
			if dots > 1 || !grouped(t[:lastDot], ",") {
				return "", bad
			}
			t = strings.ReplaceAll(t, ",", "")
		}
	case commas > 1:
		if !grouped(t, ",") {
			return "", bad
		}
		t = strings.ReplaceAll(t, ",", "")
	case commas == 1:
		if len(t)-lastComma-1 == 3 && lastComma > 0 {
			t = strings.ReplaceAll(t, ",", "")
		} else {
			t = strings.Replace(t, ",", ".", 1)
		}
	case dots > 1:
		if !grouped(t, ".") {
			return "", bad
		}
		t = strings.ReplaceAll(t, ".", "")
	}
	if t == "." || strings.HasPrefix(t, "E") || strings.HasPrefix(t, "e") {
		return "", bad
	}
	return t, nil
}

// grouped reports whether digits separated by sep form thousands groups:
// one to three digits, then groups of exactly three.
func grouped(t, sep string) bool {
	parts := strings.Split(t, sep)
	if len(parts[0]) == 0 || len(parts[0]) > 3 {
		return len(parts) == 1 && len(parts[0]) > 0
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// quote shows a cell's text in a message, cut to a readable length.
func quote(s string) string {
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return "\"" + s + "\""
}
