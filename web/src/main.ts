import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createConsoleRouter } from './router.js';
import { createBridgeSocket } from './services/bridge-socket.js';
import './styles/main.css';

const pinia = createPinia();
const app = createApp(App).use(pinia).use(createConsoleRouter());
createBridgeSocket({ pinia }).start();
app.mount('#app');
