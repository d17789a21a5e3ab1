//! For the persisted formats (`saved_plan::format`, `state::format`): their
//! own types, converted from and to the model's.

/// A unit-only enum of a format and its twin in the model, converted both
/// ways variant by variant (a variant added to the model is a compile
/// error here: the format has to decide how it is written).
macro_rules! twin_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident = $model:path {
            $($(#[$vmeta:meta])* $variant:ident,)+
        }
    ) => {
        #[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
        $(#[$meta])*
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl From<$model> for $name {
            fn from(m: $model) -> Self {
                type Model = $model;
                match m {
                    $(Model::$variant => Self::$variant,)+
                }
            }
        }

        impl From<$name> for $model {
            fn from(f: $name) -> Self {
                match f {
                    $($name::$variant => Self::$variant,)+
                }
            }
        }
    };
}
