//! A pizza order as a vendor sends it: checked with the compat rules, kept as sent.

use serde_json::{Map, Value};

pub const MAX_ITEMS: usize = 20;
/// The highest item price, in ₿: all the bitcoin there will ever be. It bounds every sum the
/// factory keeps (20 items of it are 4.2e16 satoshi, far inside an i64).
pub const MAX_PRICE: f64 = 21_000_000.0;
pub const SATOSHI_PER_BITCOIN: f64 = 1e8;

#[derive(Debug, PartialEq)]
pub enum OrderRejection {
    /// 400 `Missing required parameters` (compat).
    MissingParameters,
    /// 503 `Unable to satisfy pizza order. The oven is full.` (compat).
    OvenFull,
    /// 400 with a message naming the field.
    Invalid(String),
}

#[derive(Debug)]
pub struct Order {
    pub diner: Value,
    pub order: Value,
    /// Sum of the item prices, in satoshi: what the vendor loses if this order fails.
    pub total_satoshi: u64,
}

impl Order {
    pub fn parse(body: Value) -> Result<Self, OrderRejection> {
        let Value::Object(mut body) = body else {
            return Err(OrderRejection::MissingParameters);
        };
        let (Some(diner), Some(order)) = (body.remove("diner"), body.remove("order")) else {
            return Err(OrderRejection::MissingParameters);
        };
        if !diner.is_object() {
            return Err(OrderRejection::MissingParameters);
        }
        let Value::Object(ref fields) = order else {
            return Err(OrderRejection::MissingParameters);
        };
        let total_satoshi = items_total(fields)?;
        Ok(Self {
            diner,
            order,
            total_satoshi,
        })
    }
}

/// The items' total in satoshi; each price is rounded to the satoshi, so sums are exact.
fn items_total(order: &Map<String, Value>) -> Result<u64, OrderRejection> {
    let items = match order.get("items") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(OrderRejection::Invalid("order.items must be an array".into())),
        None => return Err(OrderRejection::Invalid("order.items is required".into())),
    };
    if items.is_empty() {
        return Err(OrderRejection::Invalid(
            "order.items must hold at least one item".into(),
        ));
    }
    if items.len() > MAX_ITEMS {
        return Err(OrderRejection::OvenFull);
    }
    let mut total: u64 = 0;
    for (i, item) in items.iter().enumerate() {
        let price = item
            .as_object()
            .ok_or_else(|| OrderRejection::Invalid(format!("order.items[{i}] must be an object")))?
            .get("price")
            .and_then(Value::as_f64)
            .ok_or_else(|| OrderRejection::Invalid(format!("order.items[{i}].price must be a number")))?;
        if !(price >= 0.0 && price.is_finite()) {
            return Err(OrderRejection::Invalid(format!(
                "order.items[{i}].price must be at least 0"
            )));
        }
        if price > MAX_PRICE {
            return Err(OrderRejection::Invalid(format!(
                "order.items[{i}].price must be at most 21000000 (₿, all the bitcoin there will ever be)"
            )));
        }
        // Bounded above, so the product is exact in f64 and the sum cannot overflow.
        total += (price * SATOSHI_PER_BITCOIN).round() as u64;
    }
    Ok(total)
}

impl Order {
    /// Prices are ₿ with at most satoshi precision; rounding keeps sums like 8 × 0.05 exact.
    pub fn round(amount: f64) -> f64 {
        (amount * SATOSHI_PER_BITCOIN).round() / SATOSHI_PER_BITCOIN
    }

    /// Satoshi as ₿, for display.
    pub fn bitcoin(satoshi: i64) -> f64 {
        satoshi as f64 / SATOSHI_PER_BITCOIN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(items: Value) -> Value {
        json!({"diner": {"id": 1}, "order": {"items": items, "storeId": "5"}})
    }

    #[test]
    fn compat_rejections() {
        assert_eq!(Order::parse(json!({})).unwrap_err(), OrderRejection::MissingParameters);
        assert_eq!(
            Order::parse(json!({"diner": {}})).unwrap_err(),
            OrderRejection::MissingParameters
        );
        assert_eq!(Order::parse(json!([1])).unwrap_err(), OrderRejection::MissingParameters);
        let many: Vec<Value> = (0..21).map(|_| json!({"price": 0.01})).collect();
        assert_eq!(Order::parse(order(json!(many))).unwrap_err(), OrderRejection::OvenFull);
    }

    #[test]
    fn items_need_prices() {
        for bad in [
            json!([]),
            json!("x"),
            json!([{"price": "1"}]),
            json!([{"price": -1}]),
            json!([3]),
            json!([{"price": 21_000_000.01}]),
            json!([{"price": 1.8e11}]),
        ] {
            assert!(matches!(Order::parse(order(bad)), Err(OrderRejection::Invalid(_))));
        }
    }

    #[test]
    fn totals_are_exact_in_satoshi() {
        let items: Vec<Value> = (0..8).map(|_| json!({"price": 0.05})).collect();
        let parsed = Order::parse(order(json!(items))).unwrap();
        assert_eq!(parsed.total_satoshi, 40_000_000);
        let most: Vec<Value> = (0..20).map(|_| json!({"price": 21_000_000})).collect();
        assert_eq!(
            Order::parse(order(json!(most))).unwrap().total_satoshi,
            20 * 21_000_000 * 100_000_000
        );
        assert_eq!(parsed.order["storeId"], "5");
    }
}
