package sheet

import (
	"errors"
	"strings"
)

// Units are the unit-of-measure codes a contract line may carry, with
// the names and spellings vendors use for them. The built-in table covers
// the usual codes; a tenant adds its own aliases on top.
type Units struct {
	alias map[string]string
}

// unitCodes maps each standard code to the spellings that mean it.
var unitCodes = map[string][]string{
	"EA": {"EACH", "E", "PC", "PCE", "PCS", "PIECE", "PIECES", "UNIT", "UN"},
	"BX": {"BOX", "BOXES", "BXS"},
	"CS": {"CASE", "CASES", "CA", "CSE"},
	"PK": {"PACK", "PACKS", "PKG", "PACKAGE", "PAK", "PA"},
	"DZ": {"DOZEN", "DOZ", "DZN"},
	"PR": {"PAIR", "PAIRS"},
	"RL": {"ROLL", "ROLLS", "RO"},
	"CT": {"CARTON", "CARTONS", "CTN"},
	"BG": {"BAG", "BAGS"},
	"BT": {"BOTTLE", "BOTTLES", "BTL"},
	"DR": {"DRUM", "DRUMS"},
	"GR": {"GROSS", "GRO"},
	"HU": {"HUNDRED", "C", "CT100"},
	"TH": {"THOUSAND", "M", "MX"},
	"KT": {"KIT", "KITS"},
	"ST": {"SET", "SETS"},
	"PL": {"PALLET", "PALLETS", "PLT"},
	"SH": {"SHEET", "SHEETS"},
	"FT": {"FOOT", "FEET", "LF"},
	"IN": {"INCH", "INCHES"},
	"YD": {"YARD", "YARDS"},
	"MR": {"METER", "METRE", "METERS", "METRES", "MTR"},
	"LB": {"POUND", "POUNDS", "LBS"},
	"OZ": {"OUNCE", "OUNCES"},
	"KG": {"KILOGRAM", "KILOGRAMS", "KILO", "KGS"},
	"GA": {"GALLON", "GALLONS", "GAL"},
	"LT": {"LITER", "LITRE", "LITERS", "LITRES", "L"},
	"QT": {"QUART", "QUARTS"},
	"TB": {"TUBE", "TUBES"},
	"CN": {"CAN", "CANS"},
	"SP": {"SPOOL", "SPOOLS"},
	"RM": {"REAM", "REAMS"},
}

// NewUnits returns the built-in table with the tenant's aliases (alias →
// code) added; a tenant alias wins over a built-in spelling.
func NewUnits(tenantAliases map[string]string) *Units {
	u := &Units{alias: map[string]string{}}
	for code, names := range unitCodes {
		for _, n := range names {
			u.alias[n] = code
		}
	}
	for code := range unitCodes {
		u.alias[code] = code
	}
	for a, code := range tenantAliases {
		u.alias[unitKey(a)] = strings.ToUpper(strings.TrimSpace(code))
	}
	return u
}

// Normalize returns the code a unit cell means: "each" → EA, "Box" → BX.
// An unknown unit is an error naming it, so a person can add the alias.
func (u *Units) Normalize(s string) (string, error) {
	k := unitKey(s)
	if k == "" {
		return "", errors.New("the unit of measure is empty")
	}
	if code, ok := u.alias[k]; ok {
		return code, nil
	}
	return "", errors.New("the unit of measure " + quote(strings.TrimSpace(s)) + " is not known; add it as a unit alias")
}

// IsUnitCode reports whether code is one of the built-in codes.
func IsUnitCode(code string) bool {
	_, ok := unitCodes[code]
	return ok
}

func unitKey(s string) string {
	return strings.ToUpper(strings.Trim(strings.TrimSpace(s), ".()/"))
}
