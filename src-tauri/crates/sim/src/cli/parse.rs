//! Parsers for command-line values; their messages become clap's error text.

use std::ops::RangeInclusive;

pub(crate) fn unit_range(text: &str) -> Result<RangeInclusive<u8>, String> {
    let (first, last) = text
        .split_once('-')
        .ok_or_else(|| format!("`{text}` is not a range like 1-16"))?;
    let id = |part: &str| -> Result<u8, String> {
        part.trim()
            .parse::<u8>()
            .ok()
            .filter(|id| (1..=247).contains(id))
            .ok_or_else(|| format!("`{part}` is not a unit id (1-247)"))
    };
    let (first, last) = (id(first)?, id(last)?);
    if first > last {
        return Err(format!("the range {first}-{last} is empty"));
    }
    Ok(first..=last)
}

pub(crate) fn phase_currents(text: &str) -> Result<[f64; 3], String> {
    let values: Vec<f64> = text
        .split(',')
        .map(|part| {
            part.trim()
                .parse::<f64>()
                .ok()
                .filter(|value| value.is_finite())
                .ok_or_else(|| format!("`{}` is not a current in A", part.trim()))
        })
        .collect::<Result<_, _>>()?;
    <[f64; 3]>::try_from(values)
        .map_err(|_| format!("`{text}` needs three currents L1,L2,L3, e.g. 2,1.5,1"))
}

pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    not_negative(text)
}

pub(crate) fn not_negative(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0)
        .ok_or_else(|| format!("`{text}` is not a number of 0 or more"))
}

pub(crate) fn positive(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value > 0.0)
        .ok_or_else(|| format!("`{text}` is not a number above 0"))
}

pub(crate) fn phases(text: &str) -> Result<u8, String> {
    match text {
        "1" => Ok(1),
        "3" => Ok(3),
        _ => Err(format!("`{text}`: a car charges on 1 or 3 phases")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_ranges() {
        assert_eq!(unit_range("1-16"), Ok(1..=16));
        assert!(unit_range("0-3").is_err());
        assert!(unit_range("5-2").is_err());
        assert!(unit_range("7").is_err());
    }

    #[test]
    fn phase_currents_need_three_values() {
        assert_eq!(phase_currents("1,2,3"), Ok([1.0, 2.0, 3.0]));
        assert!(phase_currents("1,2").is_err());
        assert!(phase_currents("1,x,3").is_err());
    }
}
