{shipmentId: .asn, purchaseOrderNumber: .po, trackingNumber: .tracking, shippedAt: .ship_date,
 estimatedDeliveryDate: .eta, originWarehouseId: .ship_from,
 status: {"LABEL": "label_created", "PICKED_UP": "picked_up", "IN_TRANSIT": "in_transit", "DELIVERED": "delivered",
          "DELAYED": "delayed"}[.status],
 lines: [.lines[] | {sku: .item, quantity: .qty, unitOfMeasure: .unit} | with_entries(select(.value != null))]}
| with_entries(select(.value != null))
