fn main() {
    // Element queries in UI tests need debug info; release builds stay lean.
    let debug_info = std::env::var("PROFILE").as_deref() != Ok("release");
    let config = slint_build::CompilerConfiguration::new()
        .with_style("fluent".into())
        .with_bundled_translations("assets/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        .with_debug_info(debug_info);
    if let Err(e) = slint_build::compile_with_config("ui/app.slint", config) {
        panic!("ui/app.slint does not compile: {e}");
    }
}
