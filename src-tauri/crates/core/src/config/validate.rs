use super::model::Config;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

pub fn validate(_config: &Config) -> Result<(), ValidationErrors> {
    todo!("helper A")
}
