import { sidebarPlugin } from './plugins/sidebar';

export default [sidebarPlugin];
