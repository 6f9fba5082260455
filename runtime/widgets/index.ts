// runtime/widgets/index.ts
// What `widgets` is in a cell (and `import { widgets } from "tsgrad"`): ipywidgets in TypeScript
// casing. Constructors work with or without `new` (widgets.IntSlider({ value: 3, max: 10 })), and
// each name is also a type (`let s: widgets.IntSlider`).
import { registerControlTarget } from "./widget";

export { Widget, WidgetError, instances, PROTOCOL_VERSION, type Change, type Observer } from "./widget";
export {
  Layout, DescriptionStyle, SliderStyle, ProgressStyle, ButtonStyle, ToggleButtonsStyle, CheckboxStyle, TextStyle, LabelStyle, HTMLStyle,
  IntSlider, FloatSlider, FloatLogSlider, IntRangeSlider, IntProgress, FloatProgress, Checkbox, Text, Textarea, Label, HTML, Image,
  Button, Play, Dropdown, RadioButtons, ToggleButtons, HBox, VBox, Box, Tab, Accordion, type SelectionOptions,
} from "./controls";
export { Output } from "./output";
export { link, dlink, jslink, jsdlink, type Link, type Endpoint } from "./link";
export { interact, interactive, interactManual, fixed, type Interactive, type InteractOptions, type Abbreviation } from "./interact";

// A page that reloads asks for every widget's state on this target.
registerControlTarget();
