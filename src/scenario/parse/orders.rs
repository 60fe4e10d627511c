//! The `[[orders]]` tables of a scenario file: who orders, when, and what.

use chrono::Duration;
use toml::Spanned;

use super::fields::parse_span;
use super::{MAX_ORDERS, RawOrders, ScenarioError, Source};
use crate::domain::VendorId;
use crate::scenario::{Item, OrderSpec};

pub(super) fn order(src: &Source, o: &RawOrders, known: &[VendorId]) -> Result<OrderSpec, ScenarioError> {
    let names: Vec<&Spanned<String>> = o.vendor.iter().chain(o.vendors.iter().flatten()).collect();
    let vendors = if names.is_empty() {
        known.to_vec()
    } else {
        names
            .into_iter()
            .map(|n| {
                VendorId::parse(n.get_ref())
                    .ok()
                    .filter(|id| known.contains(id))
                    .ok_or_else(|| {
                        src.at(
                            "orders.vendor",
                            n,
                            format!("{:?} is not one of the scenario's vendors", n.get_ref()),
                        )
                    })
            })
            .collect::<Result<_, _>>()?
    };
    let span = |field: &str, v: &Spanned<String>| parse_span(v.get_ref(), true).map_err(|e| src.at(field, v, e));
    let offsets = match (&o.at, &o.every) {
        (Some(_), Some(e)) => return Err(src.at("orders.every", e, "give at or every, not both")),
        (Some(list), None) => list.iter().map(|a| span("orders.at", a)).collect::<Result<_, _>>()?,
        (None, Some(every)) => {
            let step = parse_span(every.get_ref(), false).map_err(|e| src.at("orders.every", every, e))?;
            if step <= Duration::zero() {
                return Err(src.at("orders.every", every, "must be more than 0s"));
            }
            let from = o
                .from
                .as_ref()
                .map(|f| span("orders.from", f))
                .transpose()?
                .unwrap_or_default();
            match (&o.until, &o.count) {
                (Some(u), None) => {
                    let until = span("orders.until", u)?;
                    let n = ((until - from).num_milliseconds().max(0) + step.num_milliseconds() - 1)
                        / step.num_milliseconds();
                    if n as usize > MAX_ORDERS {
                        return Err(src.at("orders.until", u, format!("more than {MAX_ORDERS} orders")));
                    }
                    (0..n).map(|i| from + step * i as i32).collect()
                }
                (None, Some(c)) if (*c.get_ref() as usize) <= MAX_ORDERS => {
                    (0..*c.get_ref()).map(|i| from + step * i as i32).collect()
                }
                (None, Some(c)) => return Err(src.at("orders.count", c, format!("at most {MAX_ORDERS}"))),
                _ => return Err(src.at("orders.every", every, "needs until or count (one of them)")),
            }
        }
        (None, None) => {
            return Err(src.at(
                "orders.items",
                &o.items,
                "say when: at = [\"+30s\", ...] or every with until or count",
            ));
        }
    };
    if o.items.get_ref().is_empty() || o.items.get_ref().len() > 20 {
        return Err(src.at("orders.items", &o.items, "an order has 1 to 20 items"));
    }
    let items = o
        .items
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let price = *it.price.get_ref();
            if !(price.is_finite() && price >= 0.0) {
                return Err(src.at("orders.items.price", &it.price, "must be a number >= 0"));
            }
            Ok(Item {
                menu_id: it.menu_id.unwrap_or(i as i64 + 1),
                description: it.description.clone().unwrap_or_else(|| "Veggie".into()),
                price,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(OrderSpec {
        vendors,
        offsets,
        items,
        verify: o.verify,
    })
}
