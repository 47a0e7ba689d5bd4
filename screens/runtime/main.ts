// Entry of the screen page: registers the widgets and the <rx-screen> runtime.
import '../../widgets/index.ts';
import './rx-screen.ts';
