{orderId: .so, purchaseOrderNumber: .po,
 status: ({"OPEN": "confirmed", "PARTIAL": "partially_shipped", "SHIPPED": "shipped", "BACKORDER": "backordered",
           "CANCELLED": "cancelled"}[.state] // (.state | ascii_downcase)),
 promisedDeliveryDate: .promised, currency: "USD",
 lines: [.lines | to_entries[] | {lineNumber: (.key + 1), sku: .value.part, quantity: .value.qty,
         quantityShipped: .value.shipped, unitPrice: .value.price} | with_entries(select(.value != null))]}
| with_entries(select(.value != null))
