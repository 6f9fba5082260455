# test/widgets/python/ipywidgets_states.py
# Prints ipywidgets' default state of each widget tsgrad implements (and of their styles) as JSON,
# layout/style references left out: test/widgets/defaults.test.ts compares tsgrad's against it.
import json
import ipywidgets as w

names = ["IntSlider", "FloatSlider", "FloatLogSlider", "IntRangeSlider", "Dropdown", "RadioButtons", "ToggleButtons",
         "Checkbox", "Text", "Textarea", "Button", "Label", "HTML", "Image", "Play", "IntProgress", "FloatProgress",
         "Output", "HBox", "VBox", "Box", "Tab", "Accordion", "Layout"]
out = {}
for n in names:
    x = getattr(w, n)()
    st = x.get_state()
    out[n] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in st.items() if k not in ("layout", "style") and not isinstance(v, memoryview)}
    if "style" in st:
        out[n]["style_class"] = type(x.style).__name__
        out[type(x.style).__name__] = x.style.get_state()
print(json.dumps(out))
