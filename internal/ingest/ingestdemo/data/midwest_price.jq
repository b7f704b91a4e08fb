{sku: .part, unitOfMeasure: .uom, currency: "USD", unitPrice: (.new_price | tonumber),
 previousUnitPrice: (.old_price | if . == null then null else tonumber end), effectiveFrom: .effective}
| with_entries(select(.value != null))
