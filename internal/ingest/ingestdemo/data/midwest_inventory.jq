{sku: .part, warehouseId: .branch, quantityOnHand: .on_hand, quantityReserved: .allocated,
 quantityAvailable: (.on_hand - (.allocated // 0)), unitOfMeasure: .uom, asOf: .counted_at}
| with_entries(select(.value != null))
