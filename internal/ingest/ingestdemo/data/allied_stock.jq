{sku: .item, warehouseId: .location, quantityOnHand: (.qty | tonumber), unitOfMeasure: .unit,
 nextReplenishmentDate: .next_receipt}
| with_entries(select(.value != null))
