# The relay runs TypeScript directly on Node 24 (type stripping): no build step.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY config ./config
COPY connectors ./connectors
COPY src ./src
COPY workers ./workers
USER node
EXPOSE 3000
CMD ["node", "src/main.ts"]
